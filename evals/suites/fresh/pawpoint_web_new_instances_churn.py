"""pawpoint-web: slow since mid-afternoon while the Auto Scaling group keeps replacing new instances."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zf as k

NAME = "pawpoint-web-new-instances-churn"
TITLE = "pawpoint-web slow since mid-afternoon; new instances keep getting replaced"
SUMMARY = (
    "A KMS key-policy rewrite hours earlier dropped the account-root statement; new web instances launched "
    "at the afternoon scale-out cannot decrypt their secret, never pass health checks and churn."
)

REGION = "us-west-2"
AZS = [("us-west-2a", "usw2-az1"), ("us-west-2b", "usw2-az2"), ("us-west-2c", "usw2-az3")]


@dataclass
class Life:
    inst: k.Inst
    launch: datetime
    in_service: datetime
    fail: datetime | None  # first unhealthy
    term: datetime | None  # ASG terminates
    gone: datetime | None  # terminated


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    while True:
        day = k.pick_day(rng)
        if day.month in (4, 5, 6, 9, 10):
            break
    # Denver is UTC-6 in these months; onset at about 14:10-14:40 local
    onset = day + timedelta(hours=20, minutes=rng.randrange(10, 40))
    start = onset - timedelta(hours=7)
    now = onset + timedelta(minutes=rng.randrange(45, 58))
    fine_from = onset - timedelta(hours=3)
    tz = -6.0

    # --- names and ids --------------------------------------------------------------------------
    vpc_id = "vpc-0" + k.hexs(rng, 16)
    priv = [
        ("subnet-0" + k.hexs(rng, 16), az, azid, f"10.40.{16 * i + 16}") for i, (az, azid) in enumerate(AZS)
    ]
    pub = [("subnet-0" + k.hexs(rng, 16), az, azid, f"10.40.{i + 1}") for i, (az, azid) in enumerate(AZS)]
    sg_alb, sg_web, sg_db, sg_worker = ("sg-0" + k.hexs(rng, 16) for _ in range(4))
    ami = "ami-0" + k.hexs(rng, 16)
    lt_id = "lt-0" + k.hexs(rng, 16)
    lt_ver = str(rng.randrange(38, 71))
    lt = (lt_id, "pawpoint-web-prod", lt_ver)
    key_id = k.uid(rng)
    key_arn = f"arn:aws:kms:{REGION}:{acct}:key/{key_id}"
    secret_name = "pawpoint/prod/web-app"
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{acct}:secret:{secret_name}-{k.upper_id(rng, '', 6)}"
    secret_ver = k.uid(rng)
    asg_name = "pawpoint-web-prod"
    web_role, worker_role = "pawpoint-web-ec2", "pawpoint-worker-ec2"
    rot_role = "pawpoint-secret-rotation-lambda"
    nat_ips = [k.ip_public(rng) for _ in AZS]
    release = f"web-{(day - timedelta(days=1)).strftime('%Y.%m.%d')}-{rng.randrange(1, 4)}"

    # --- fleet ------------------------------------------------------------------------------------
    fleet_launch = day - timedelta(days=rng.randrange(2, 6), hours=rng.randrange(1, 8))
    old: list[k.Inst] = []
    for n in range(4):
        sid, az, _azid, pre = priv[n % 3]
        old.append(
            k.Inst(
                "i-0" + k.hexs(rng, 16),
                az,
                sid,
                k.ip_private(rng, pre),
                fleet_launch + timedelta(minutes=3 * n),
            )
        )

    def new_inst(t: datetime, slot: int) -> k.Inst:
        sid, az, _azid, pre = priv[(slot + 1) % 3]
        return k.Inst("i-0" + k.hexs(rng, 16), az, sid, k.ip_private(rng, pre), t)

    # --- load model -------------------------------------------------------------------------------
    # offered CPU load in "instance-percent" units: old fleet of 4 crosses 50% average just before onset
    def load(t: datetime) -> float:
        d = k.diurnal(t, tz, peak_h=15.5, floor=0.22)
        d_on = k.diurnal(onset - timedelta(minutes=3), tz, peak_h=15.5, floor=0.22) * 1.025
        v = 4 * 51.5 * d / d_on
        ramp_from = onset - timedelta(minutes=12)
        if t > ramp_from:  # the after-work booking rush builds quickly on weekday afternoons
            v *= 1 + min(0.45, (t - ramp_from).total_seconds() / 3600 * 0.7)
        return v

    noise_cpu = {i.id: random.Random(f"{NAME}:{seed}:{i.id}") for i in old}
    cpu_memo: dict[tuple[str, datetime], float] = {}

    def cpu_old(i: k.Inst, t: datetime) -> float:
        key = (i.id, k.floor_min(t))
        if key not in cpu_memo:
            v = load(key[1]) / 4
            cpu_memo[key] = max(3.0, min(97.5, k.jitter(noise_cpu[i.id], v, 0.025)))
        return cpu_memo[key]

    # minute-by-minute: target tracking (ASG average CPU > 50 for 3 minutes) adds two instances at a time;
    # each new instance fails its health checks and is replaced about six minutes after launch
    lives: list[Life] = []
    scale_events: list[tuple[datetime, int, int, datetime]] = []  # (alarm minute end, from, to, launch time)
    desired_now = 4

    def new_cpu(lf: Life, t: datetime) -> float:
        # the unit crash-loops every ~10s: a little CPU, never idle
        return round(12.6 + (t.minute * 7 + int(lf.inst.id[-3:], 16)) % 5 * 0.8, 2)

    def alive_new(t: datetime) -> list[Life]:
        return [
            lf for lf in lives if lf.launch + timedelta(minutes=1) <= t and (lf.gone is None or t < lf.gone)
        ]

    def agg_cpu(t: datetime) -> float:
        vals = [cpu_old(i, t) for i in old] + [new_cpu(lf, t) for lf in alive_new(t)]
        return sum(vals) / len(vals)

    def run_slot(t0: datetime, slot: int) -> None:
        t = t0
        while t < now:
            inst = new_inst(t, slot)
            ins = t + timedelta(seconds=rng.randrange(38, 60))
            fail = ins + timedelta(seconds=rng.randrange(70, 110))
            term = ins + timedelta(seconds=300 + rng.randrange(10, 40))
            gone = term + timedelta(seconds=rng.randrange(35, 60))
            lives.append(
                Life(
                    inst,
                    t,
                    ins,
                    fail if fail < now else None,
                    term if term < now else None,
                    gone if gone < now else None,
                )
            )
            t = term + timedelta(seconds=rng.randrange(8, 20))

    last_scale = start
    t = k.floor_min(onset - timedelta(minutes=40))
    while t < now - timedelta(minutes=2):
        window = [t - timedelta(minutes=j) for j in range(3)]
        if (
            all(agg_cpu(w) > 50.0 for w in window)
            and t - last_scale >= timedelta(minutes=10)
            and desired_now < 12
        ):
            launch = t + timedelta(seconds=60 + rng.randrange(80, 95))
            scale_events.append((t, desired_now, desired_now + 2, launch))
            run_slot(launch, 2 * len(scale_events) - 2)
            run_slot(launch + timedelta(seconds=rng.randrange(1, 4)), 2 * len(scale_events) - 1)
            desired_now += 2
            last_scale = t
        t += timedelta(minutes=1)
    for lf in lives:
        if lf.gone:
            lf.inst.state = "terminated"
        elif lf.term:
            lf.inst.state = "shutting-down"
    lives.sort(key=lambda lf: (lf.launch, lf.inst.id))
    first_scale = scale_events[0][3]

    times = k.timeline(start, fine_from, now)
    m = k.Metrics()

    # EC2 per instance
    for i in old:
        for t, _s in times:
            m.add("AWS/EC2", "CPUUtilization", {"InstanceId": i.id}, t, round(cpu_old(i, t), 2), "Percent")
            m.add("AWS/EC2", "StatusCheckFailed", {"InstanceId": i.id}, t, 0.0, "Count")
    for t, _s in times:
        for lf in alive_new(t):
            m.add("AWS/EC2", "CPUUtilization", {"InstanceId": lf.inst.id}, t, new_cpu(lf, t), "Percent")

    def in_service_new(t: datetime) -> list[Life]:
        return [lf for lf in lives if lf.in_service <= t and (lf.term is None or t < lf.term)]

    def registered_unhealthy(t: datetime) -> int:
        return sum(1 for lf in lives if lf.fail and lf.fail <= t and (lf.term is None or t < lf.term))

    # ASG aggregate CPU (all instances reporting)
    def asg_cpu(t: datetime, s: int) -> float:
        return round(agg_cpu(t), 2)

    m.series("AWS/EC2", "CPUUtilization", {"AutoScalingGroupName": asg_name}, "Percent", times, asg_cpu)

    def desired(t: datetime) -> int:
        d = 4
        for _at, _f, to, launch in scale_events:
            if t >= launch - timedelta(seconds=2):
                d = to
        return d

    def grp(metric: str, t: datetime) -> float:
        if metric == "GroupDesiredCapacity":
            return desired(t)
        if metric in ("GroupMinSize",):
            return 4
        if metric == "GroupMaxSize":
            return 12
        pending = sum(1 for lf in lives if lf.launch <= t < lf.in_service)
        terminating = sum(1 for lf in lives if lf.term and lf.term <= t and (lf.gone is None or t < lf.gone))
        ins = 4 + len(in_service_new(t))
        if metric == "GroupPendingInstances":
            return pending
        if metric == "GroupTerminatingInstances":
            return terminating
        if metric == "GroupInServiceInstances":
            return ins
        return ins + pending + terminating

    for metric in (
        "GroupDesiredCapacity",
        "GroupInServiceInstances",
        "GroupPendingInstances",
        "GroupTerminatingInstances",
        "GroupTotalInstances",
        "GroupMinSize",
        "GroupMaxSize",
    ):
        for t, _s in times:
            m.add(
                "AWS/AutoScaling",
                metric,
                {"AutoScalingGroupName": asg_name},
                t,
                float(grp(metric, t)),
                "None",
            )

    # ALB
    lb_res, lb_arn, lb_dim = k.alb(
        rng,
        "pawpoint-web-prod",
        acct,
        REGION,
        vpc_id,
        [(az, sid) for sid, az, _, _ in pub],
        [sg_alb],
        day - timedelta(days=611),
    )
    tg_res, tg_arn, tg_dim = k.target_group(
        rng, "pawpoint-web-prod-3000", acct, REGION, vpc_id, lb_arn, 3000, "/healthz"
    )
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    reqs: dict[datetime, int] = {}
    e5: dict[datetime, int] = {}
    for t, s in times:
        lam = 24.0 * load(t) / 4 * s
        reqs[t] = k.poisson(rng, lam)
    for t, _s in times:
        n = reqs[t]
        over = max(0.0, (cpu_old(old[0], t) - 70) / 20)
        e5[t] = k.poisson(rng, n * 0.004 * over)
        for dims in (lbd, tgd):
            m.add("AWS/ApplicationELB", "RequestCount", dims, t, n, "Count")
        t5 = k.poisson(rng, 0.00012 * n + 0.0015 * n * over)
        t4 = k.poisson(rng, 0.011 * n)
        m.add(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            tgd,
            t,
            max(0, n - t4 - t5 - e5[t] - k.poisson(rng, 0.03 * n)),
            "Count",
        )
        m.add(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            lbd,
            t,
            max(0, n - t4 - t5 - e5[t] - k.poisson(rng, 0.03 * n)),
            "Count",
        )
        for dims in (lbd, tgd):
            if t4:
                m.add("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, t4, "Count")
            if t5:
                m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, t5, "Count")
        if e5[t]:
            m.add("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, t, e5[t], "Count")
            m.add("AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lbd, t, max(1, e5[t] // 3), "Count")
            if e5[t] - max(1, e5[t] // 3) > 0:
                m.add(
                    "AWS/ApplicationELB",
                    "HTTPCode_ELB_504_Count",
                    lbd,
                    t,
                    e5[t] - max(1, e5[t] // 3),
                    "Count",
                )
        busy = max(0.0, (cpu_old(old[1], t) - 60) / 25)
        med = 0.085 * (1 + 2.5 * busy**2)
        vals, cnts = k.latency_hist(rng, med, n, tail=0.01 + 0.02 * busy, tail_s=0.9 + 4.0 * busy)
        for dims in (lbd, tgd):
            m.add_dist("AWS/ApplicationELB", "TargetResponseTime", dims, t, vals, cnts, "Seconds")
        m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, t, 4.0, "Count")
        m.add(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            t,
            float(registered_unhealthy(t + timedelta(seconds=30))),
            "Count",
        )
        m.add("AWS/ApplicationELB", "ActiveConnectionCount", lbd, t, k.poisson(rng, n * 0.35), "Count")
        m.add("AWS/ApplicationELB", "NewConnectionCount", lbd, t, k.poisson(rng, n * 0.22), "Count")

    # RDS and the reminder Lambda (supporting cast)
    db_id = "pawpoint-pg-prod"
    for t, _s in times:
        m.add(
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            t,
            round(k.jitter(rng, 12 + 20 * load(t) / 206, 0.06), 2),
            "Percent",
        )
        m.add(
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": db_id},
            t,
            float(round(k.jitter(rng, 62 + 18 * load(t) / 206, 0.04))),
            "Count",
        )
        m.add(
            "AWS/RDS",
            "FreeableMemory",
            {"DBInstanceIdentifier": db_id},
            t,
            round(k.jitter(rng, 5.1e9, 0.01)),
            "Bytes",
        )
        m.add(
            "AWS/RDS",
            "ReadLatency",
            {"DBInstanceIdentifier": db_id},
            t,
            round(k.jitter(rng, 0.0009, 0.1), 6),
            "Seconds",
        )
    fn_name = "pawpoint-reminder-sender"
    lam_times = [t for t in k.minutes(start, now - timedelta(seconds=1), 5)]
    deploy_lambda = onset - timedelta(minutes=rng.randrange(9, 15))
    for t in lam_times:
        d = {"FunctionName": fn_name}
        m.add("AWS/Lambda", "Invocations", d, t, 1.0, "Count")
        m.add("AWS/Lambda", "Errors", d, t, 0.0, "Count")
        m.add("AWS/Lambda", "Duration", d, t, round(k.jitter(rng, 1900, 0.2), 2), "Milliseconds")

    # --- alarms -------------------------------------------------------------------------------------
    sns_ops = f"arn:aws:sns:{REGION}:{acct}:pawpoint-oncall"
    policy_change = onset - timedelta(minutes=rng.randrange(19, 26), seconds=rng.randrange(60))
    tt_suffix = k.uid(rng)
    specs = [
        k.AlarmSpec(
            "pawpoint-web-p99-latency",
            "p99 target response time of pawpoint-web above 1.5s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            lbd,
            "p99",
            60,
            5,
            4,
            1.5,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns_ops],
        ),
        k.AlarmSpec(
            "pawpoint-web-unhealthy-hosts",
            "pawpoint-web has unhealthy targets",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            2,
            1.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            actions=[sns_ops],
        ),
        k.AlarmSpec(
            "pawpoint-web-5xx",
            "pawpoint-web target 5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            lbd,
            "Sum",
            300,
            2,
            2,
            60.0,
            "GreaterThanThreshold",
            "notBreaching",
            actions=[sns_ops],
        ),
        k.AlarmSpec(
            "pawpoint-pg-prod-cpu-high",
            "RDS CPU above 80%",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[sns_ops],
        ),
        k.AlarmSpec(
            "pawpoint-reminder-sender-errors",
            "reminder sender Lambda errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": fn_name},
            "Sum",
            300,
            1,
            1,
            3.0,
            "GreaterThanOrEqualToThreshold",
            "notBreaching",
            actions=[sns_ops],
        ),
    ]
    asg_dims = {"AutoScalingGroupName": asg_name}
    tt_high = k.AlarmSpec(
        f"TargetTracking-{asg_name}-AlarmHigh-{tt_suffix}",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:...",
        "AWS/EC2",
        "CPUUtilization",
        asg_dims,
        "Average",
        60,
        3,
        3,
        50.0,
        "GreaterThanThreshold",
        created=policy_change,
    )
    tt_low = k.AlarmSpec(
        f"TargetTracking-{asg_name}-AlarmLow-{k.uid(rng)}",
        "",
        "AWS/EC2",
        "CPUUtilization",
        asg_dims,
        "Average",
        60,
        15,
        15,
        45.0,
        "LessThanThreshold",
        created=policy_change,
    )
    asg_arn = (
        f"arn:aws:autoscaling:{REGION}:{acct}:autoScalingGroup:{k.uid(rng)}:autoScalingGroupName/{asg_name}"
    )
    pol_arn = f"arn:aws:autoscaling:{REGION}:{acct}:scalingPolicy:{k.uid(rng)}:autoScalingGroupName/{asg_name}:policyName/cpu-target-tracking"
    alarms: list[dict[str, object]] = []
    history: list[dict[str, object]] = []
    for sp in specs:
        r = k.evaluate_alarm(rng, sp, m.rows, acct, REGION, start, now)
        alarms.append(r.alarm)
        history += r.history
    tt_results: dict[str, k.AlarmResult] = {}
    for sp in (tt_high, tt_low):
        sp.description = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_arn}."
        sp.actions = [pol_arn]
        r = k.evaluate_alarm(rng, sp, m.rows, acct, REGION, policy_change, now)
        tt_results[sp.name] = r
        alarms.append(r.alarm)
        history += r.history
        history.append(
            {
                "AlarmName": sp.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": k.iso_ms(policy_change + timedelta(seconds=1)),
                "HistoryItemType": "ConfigurationUpdate",
                "HistorySummary": f'Alarm "{sp.name}" updated',
                "HistoryData": json.dumps(
                    {
                        "type": "Update",
                        "version": "1.0",
                        "originalUpdatedAlarm": {"threshold": 60.0 if "High" in sp.name else 54.0},
                        "updatedAlarm": {"threshold": sp.threshold},
                    },
                    separators=(",", ":"),
                ),
            }
        )

    # --- events: ASG activities and target health ----------------------------------------------------
    events: list[dict[str, object]] = []
    high_name = tt_high.name
    high_alarm_times = [tr[0] for tr in tt_results[tt_high.name].transitions if tr[2] == "ALARM"]
    launch_cause: dict[str, str] = {}
    for at_min, n_from, n_to, launch in scale_events:
        fired = [x for x in high_alarm_times if at_min < x <= launch]
        at = fired[0] if fired else launch - timedelta(seconds=rng.randrange(6, 12))
        for lf in lives:
            if launch <= lf.launch <= launch + timedelta(seconds=5):
                launch_cause[lf.inst.id] = (
                    f"At {k.iso(at)} a monitor alarm {high_name} in state ALARM triggered policy cpu-target-tracking "
                    f"changing the desired capacity from {n_from} to {n_to}.  At {k.iso(launch - timedelta(seconds=1))} an "
                    f"instance was started in response to a difference between desired and actual capacity, increasing "
                    f"the capacity from {n_from} to {n_to}."
                )
    for lf in lives:
        cause = launch_cause.get(lf.inst.id) or (
            f"At {k.iso(lf.launch - timedelta(seconds=3))} an instance was started in response to a difference between "
            f"desired and actual capacity, increasing the capacity from {desired(lf.launch) - 1} to {desired(lf.launch)}."
        )
        subnet_id = lf.inst.subnet
        events.append(
            k.asg_activity(
                rng,
                asg_name,
                asg_arn,
                f"Launching a new EC2 instance: {lf.inst.id}",
                cause,
                lf.launch,
                lf.in_service,
                details={"Subnet ID": subnet_id, "Availability Zone": lf.inst.az},
            )
        )
        if lf.term:
            events.append(
                k.asg_activity(
                    rng,
                    asg_name,
                    asg_arn,
                    f"Terminating EC2 instance: {lf.inst.id}",
                    f"At {k.iso(lf.term - timedelta(seconds=1))} an instance was taken out of service in response to an ELB system health check failure.",
                    lf.term,
                    lf.gone,
                    status="Successful" if lf.gone else "InProgress",
                    details={"Subnet ID": subnet_id, "Availability Zone": lf.inst.az},
                )
            )
        reg = lf.in_service + timedelta(seconds=2)
        events.append(
            k.th_point(
                tg_arn,
                lf.inst.id,
                3000,
                reg,
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
        )
        if lf.fail:
            events.append(
                k.th_point(
                    tg_arn,
                    lf.inst.id,
                    3000,
                    lf.fail,
                    "unhealthy",
                    "Target.FailedHealthChecks",
                    "Health checks failed",
                )
            )
        if lf.term:
            events.append(
                k.th_point(
                    tg_arn,
                    lf.inst.id,
                    3000,
                    lf.term + timedelta(seconds=1),
                    "draining",
                    "Target.DeregistrationInProgress",
                    "Target deregistration is in progress",
                )
            )
        if lf.gone:
            events.append(
                k.th_point(
                    tg_arn,
                    lf.inst.id,
                    3000,
                    lf.gone - timedelta(seconds=5),
                    "unused",
                    "Target.NotRegistered",
                    "Target is not registered to the target group",
                )
            )
    for i in old:
        events.append(k.th_point(tg_arn, i.id, 3000, i.launched + timedelta(minutes=2), "healthy"))

    # --- CloudTrail -------------------------------------------------------------------------------------
    trail = k.Trail(rng, acct, REGION)
    sec_eng = k.sso_user(
        rng,
        acct,
        REGION,
        "SecurityEngineer",
        "dana.whitfield@pawpoint.io",
        k.ip_public(rng),
        k.cli_ua("kms.put-key-policy"),
    )
    plat_eng = k.sso_user(
        rng,
        acct,
        REGION,
        "PlatformEngineer",
        "marcus.oyelaran@pawpoint.io",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    oncall = k.sso_user(
        rng,
        acct,
        REGION,
        "PlatformEngineer",
        "ines.carvalho@pawpoint.io",
        k.ip_public(rng),
        k.CONSOLE_UA,
        console=True,
    )
    ci = k.role_session(
        rng,
        acct,
        "gha-deploy-pawpoint",
        "GitHubActions",
        k.ip_public(rng),
        "aws-sdk-js/3.567.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.567.0",
    )
    grafana = k.role_session(
        rng,
        acct,
        "grafana-cloudwatch-read",
        "grafana",
        k.ip_public(rng),
        "aws-sdk-go/1.51.21 (go1.22.2; linux; amd64)",
    )
    asg_svc = k.role_session(
        rng,
        acct,
        "AWSServiceRoleForAutoScaling",
        "AutoScaling",
        "autoscaling.amazonaws.com",
        "autoscaling.amazonaws.com",
        path="/aws-service-role/autoscaling.amazonaws.com/",
    )
    asg_svc.identity["invokedBy"] = "autoscaling.amazonaws.com"
    worker_sess = k.role_session(
        rng,
        acct,
        worker_role,
        "i-0" + k.hexs(rng, 16),
        nat_ips[0],
        "aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/secrets-manager#3.540.0",
    )

    # the key policy as it stands now
    key_policy = {
        "Version": "2012-10-17",
        "Id": "pawpoint-app-secrets",
        "Statement": [
            {
                "Sid": "KeyAdministration",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/{REGION}/{sec_eng.identity['sessionContext']['sessionIssuer']['userName']}",
                        f"arn:aws:iam::{acct}:role/terraform-platform",
                    ]
                },
                "Action": [
                    "kms:Create*",
                    "kms:Describe*",
                    "kms:Enable*",
                    "kms:List*",
                    "kms:Put*",
                    "kms:Update*",
                    "kms:Revoke*",
                    "kms:Disable*",
                    "kms:Get*",
                    "kms:Delete*",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:ScheduleKeyDeletion",
                    "kms:CancelKeyDeletion",
                ],
                "Resource": "*",
            },
            {
                "Sid": "ApplicationUse",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{acct}:role/{worker_role}",
                        f"arn:aws:iam::{acct}:role/{rot_role}",
                        f"arn:aws:iam::{acct}:role/gha-deploy-pawpoint",
                    ]
                },
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}},
            },
        ],
    }
    culprit_t = onset - timedelta(hours=3, minutes=rng.randrange(15, 50))
    k.set_session_created(sec_eng, culprit_t - timedelta(minutes=40))
    trail.add(
        culprit_t - timedelta(minutes=31),
        sec_eng,
        "kms.amazonaws.com",
        "ListAliases",
        {"limit": 100},
        None,
        read_only=True,
    )
    trail.add(
        culprit_t - timedelta(minutes=29),
        sec_eng,
        "kms.amazonaws.com",
        "DescribeKey",
        {"keyId": "alias/pawpoint-app-secrets"},
        None,
        read_only=True,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    trail.add(
        culprit_t - timedelta(minutes=28),
        sec_eng,
        "kms.amazonaws.com",
        "GetKeyPolicy",
        {"keyId": key_id, "policyName": "default"},
        None,
        read_only=True,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    culprit = trail.add(
        culprit_t,
        sec_eng,
        "kms.amazonaws.com",
        "PutKeyPolicy",
        {
            "keyId": key_id,
            "policyName": "default",
            "policy": json.dumps(key_policy, indent=4),
            "bypassPolicyLockoutSafetyCheck": False,
        },
        None,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    trail.add(
        culprit_t + timedelta(minutes=2),
        sec_eng,
        "kms.amazonaws.com",
        "GetKeyPolicy",
        {"keyId": key_id, "policyName": "default"},
        None,
        read_only=True,
        resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
    )
    # same engineer tags another key a little later (routine)
    other_key = k.uid(rng)
    trail.add(
        culprit_t + timedelta(minutes=9),
        sec_eng,
        "kms.amazonaws.com",
        "TagResource",
        {"keyId": other_key, "tags": [{"tagKey": "data-classification", "tagValue": "internal"}]},
        None,
        resources=[
            {
                "accountId": acct,
                "type": "AWS::KMS::Key",
                "ARN": f"arn:aws:kms:{REGION}:{acct}:key/{other_key}",
            }
        ],
    )

    # innocent change 1: target tracking target value lowered
    k.set_session_created(plat_eng, policy_change - timedelta(minutes=25))
    trail.add(
        policy_change - timedelta(minutes=3),
        plat_eng,
        "autoscaling.amazonaws.com",
        "DescribePolicies",
        {"autoScalingGroupName": asg_name},
        None,
        read_only=True,
    )
    trail.add(
        policy_change,
        plat_eng,
        "autoscaling.amazonaws.com",
        "PutScalingPolicy",
        {
            "autoScalingGroupName": asg_name,
            "policyName": "cpu-target-tracking",
            "policyType": "TargetTrackingScaling",
            "estimatedInstanceWarmup": 180,
            "targetTrackingConfiguration": {
                "predefinedMetricSpecification": {"predefinedMetricType": "ASGAverageCPUUtilization"},
                "targetValue": 50.0,
                "disableScaleIn": False,
            },
            "enabled": True,
        },
        {
            "policyARN": pol_arn,
            "alarms": [
                {
                    "alarmName": tt_high.name,
                    "alarmARN": f"arn:aws:cloudwatch:{REGION}:{acct}:alarm:{tt_high.name}",
                },
                {
                    "alarmName": tt_low.name,
                    "alarmARN": f"arn:aws:cloudwatch:{REGION}:{acct}:alarm:{tt_low.name}",
                },
            ],
        },
    )
    # innocent change 2: reminder Lambda deploy by CI
    trail.add(
        deploy_lambda,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": fn_name,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"pawpoint-artifacts-{acct}",
            "s3Key": f"lambda/{fn_name}/{k.hexs(rng, 40)}.zip",
        },
        {
            "functionName": fn_name,
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:{fn_name}",
            "runtime": "nodejs20.x",
            "handler": "index.handler",
            "codeSize": 2210394,
            "timeout": 60,
            "memorySize": 256,
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": k.uid(rng),
        },
        host=f"lambda.{REGION}.amazonaws.com",
    )
    trail.add(
        deploy_lambda + timedelta(seconds=14),
        ci,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": fn_name},
        None,
        read_only=True,
    )
    # innocent change 3 (ops): SSM parameter for a feature flag, after onset
    trail.add(
        onset + timedelta(minutes=4),
        plat_eng,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/pawpoint/prod/flags/clinic-search-v2",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": 7, "tier": "Standard"},
    )

    # ASG service calls
    for lf in lives:
        trail.add(
            lf.launch + timedelta(seconds=1),
            asg_svc,
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": lt_id, "version": lt_ver},
                "subnetId": lf.inst.subnet,
                "clientToken": k.uid(rng),
            },
            {
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": lf.inst.id,
                            "imageId": ami,
                            "instanceType": "m6i.large",
                            "privateIpAddress": lf.inst.ip,
                            "subnetId": lf.inst.subnet,
                            "vpcId": vpc_id,
                        }
                    ]
                }
            },
        )
        k.assume_role_record(
            trail,
            lf.launch + timedelta(seconds=31),
            "ec2.amazonaws.com",
            f"arn:aws:iam::{acct}:role/{web_role}",
            lf.inst.id,
        )
        if lf.fail:
            inst_sess = k.role_session(
                rng,
                acct,
                web_role,
                lf.inst.id,
                nat_ips[AZS.index(next(a for a in AZS if a[0] == lf.inst.az))],
                "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.90-99.173.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2023 md/prompt#off md/command#secretsmanager.get-secret-value",
            )
            gt = lf.in_service + timedelta(seconds=rng.randrange(20, 40))
            dec = json.loads(json.dumps(inst_sess.identity))
            dec["invokedBy"] = "secretsmanager.amazonaws.com"
            trail.add(
                gt,
                k.Principal(dec, "secretsmanager.amazonaws.com", "secretsmanager.amazonaws.com"),
                "kms.amazonaws.com",
                "Decrypt",
                {
                    "encryptionContext": {"SecretARN": secret_arn, "SecretVersionId": secret_ver},
                    "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
                },
                None,
                read_only=True,
                error=(
                    "AccessDeniedException",
                    f"User: {inst_sess.identity['arn']} is not authorized to perform: kms:Decrypt on the resource associated with this ciphertext because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access",
                ),
                resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
            )
            trail.add(
                gt + timedelta(milliseconds=40),
                inst_sess,
                "secretsmanager.amazonaws.com",
                "GetSecretValue",
                {"secretId": secret_name},
                None,
                read_only=True,
                error=("AccessDeniedException", "Access to KMS is not allowed"),
            )
        if lf.term:
            trail.add(
                lf.term + timedelta(seconds=1),
                asg_svc,
                "ec2.amazonaws.com",
                "TerminateInstances",
                {"instancesSet": {"items": [{"instanceId": lf.inst.id}]}},
                {
                    "instancesSet": {
                        "items": [
                            {
                                "instanceId": lf.inst.id,
                                "currentState": {"code": 32, "name": "shutting-down"},
                                "previousState": {"code": 16, "name": "running"},
                            }
                        ]
                    }
                },
            )

    # worker reads the secret successfully every hour
    t = start + timedelta(minutes=rng.randrange(5, 55))
    while t < now:
        dec = json.loads(json.dumps(worker_sess.identity))
        dec["invokedBy"] = "secretsmanager.amazonaws.com"
        trail.add(
            t + timedelta(milliseconds=30),
            k.Principal(dec, "secretsmanager.amazonaws.com", "secretsmanager.amazonaws.com"),
            "kms.amazonaws.com",
            "Decrypt",
            {
                "encryptionContext": {"SecretARN": secret_arn, "SecretVersionId": secret_ver},
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
            None,
            read_only=True,
            resources=[{"accountId": acct, "type": "AWS::KMS::Key", "ARN": key_arn}],
        )
        trail.add(
            t,
            worker_sess,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": secret_name},
            None,
            read_only=True,
        )
        t += timedelta(minutes=60)

    # routine reads
    k.routine_reads(
        trail,
        rng,
        start,
        now,
        [grafana],
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/ApplicationELB"}),
            (
                "ec2.amazonaws.com",
                "DescribeInstances",
                {
                    "filterSet": {
                        "items": [
                            {
                                "name": "tag:aws:autoscaling:groupName",
                                "valueSet": {"items": [{"value": asg_name}]},
                            }
                        ]
                    }
                },
            ),
        ],
        14,
    )
    k.routine_reads(
        trail,
        rng,
        start,
        onset - timedelta(minutes=30),
        [plat_eng, ci],
        [
            ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {"loadBalancerArn": lb_arn}),
            ("cloudformation.amazonaws.com", "DescribeStacks", {"stackName": "pawpoint-reminders"}),
            ("s3.amazonaws.com", "ListBuckets", None),
        ],
        10,
    )
    k.set_session_created(oncall, onset + timedelta(minutes=24))
    oncall_calls: list[tuple[str, str, dict[str, Any]]] = [
        ("autoscaling.amazonaws.com", "DescribeAutoScalingGroups", {"autoScalingGroupNames": [asg_name]}),
        (
            "autoscaling.amazonaws.com",
            "DescribeScalingActivities",
            {"autoScalingGroupName": asg_name, "includeDeletedGroups": False},
        ),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        (
            "ec2.amazonaws.com",
            "DescribeInstances",
            {"instancesSet": {"items": [{"instanceId": old[0].id}]}},
        ),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "pawpoint-web"}),
    ]
    for j, (src, name, params) in enumerate(oncall_calls):
        trail.add(
            onset + timedelta(minutes=25 + 2 * j, seconds=rng.randrange(60)),
            oncall,
            src,
            name,
            params,
            None,
            read_only=True,
        )

    # --- logs ---------------------------------------------------------------------------------------------
    logs: list[dict[str, object]] = []
    app_g = "/pawpoint/web/app"
    boot_g = "/pawpoint/web/bootstrap"
    paths = [
        ("GET", "/api/v2/clinics/{c}/slots?date={d}", 0.5),
        ("GET", "/api/v2/pets/{p}", 0.2),
        ("POST", "/api/v2/bookings", 0.1),
        ("GET", "/api/v2/owners/me", 0.15),
        ("GET", "/api/v2/clinics/{c}", 0.05),
    ]
    datestr = (day + timedelta(days=rng.randrange(1, 9))).strftime("%Y-%m-%d")
    for i in old:
        host = "ip-" + i.ip.replace(".", "-")
        pid = rng.randrange(2000, 9000)
        t = start + timedelta(seconds=rng.randrange(5, 40))
        while t < now:
            meth, path, _w = rng.choices(paths, weights=[p[2] for p in paths])[0]
            url = path.format(c=rng.randrange(100, 4800), d=datestr, p=rng.randrange(10000, 999999))
            busy = max(0.0, (cpu_old(i, t) - 60) / 25)
            rt = int(max(4, rng.lognormvariate(4.3, 0.5) * (1 + 3 * busy**2)))
            code = 201 if meth == "POST" else (404 if rng.random() < 0.01 else 200)
            logs.append(
                k.log(
                    app_g,
                    f"{i.id}/app.log",
                    t,
                    json.dumps(
                        {
                            "level": 30,
                            "time": k.ms(t),
                            "pid": pid,
                            "hostname": host,
                            "reqId": k.hexs(rng, 12),
                            "req": {"method": meth, "url": url},
                            "res": {"statusCode": code},
                            "responseTime": rt,
                            "msg": "request completed",
                        },
                        separators=(",", ":"),
                    ),
                )
            )
            if rng.random() < 0.012:
                logs.append(
                    k.log(
                        app_g,
                        f"{i.id}/app.log",
                        t + timedelta(milliseconds=7),
                        json.dumps(
                            {
                                "level": 40,
                                "time": k.ms(t) + 7,
                                "pid": pid,
                                "hostname": host,
                                "msg": "twilio lookup slow",
                                "durationMs": rng.randrange(1200, 2600),
                            },
                            separators=(",", ":"),
                        ),
                    )
                )
            if busy > 0.6 and rng.random() < 0.06:
                logs.append(
                    k.log(
                        app_g,
                        f"{i.id}/app.log",
                        t + timedelta(milliseconds=3),
                        json.dumps(
                            {
                                "level": 40,
                                "time": k.ms(t) + 3,
                                "pid": pid,
                                "hostname": host,
                                "msg": "event loop delay high",
                                "p99Ms": rng.randrange(180, 900),
                            },
                            separators=(",", ":"),
                        ),
                    )
                )
            t += timedelta(seconds=rng.randrange(20, 45) if t < fine_from else rng.randrange(10, 25))
    for lf in lives:
        stream = lf.inst.id
        b = lf.launch + timedelta(seconds=rng.randrange(24, 32))
        if lf.fail is None and b + timedelta(seconds=20) > now:
            continue

        def pyts(x: datetime) -> str:
            return x.strftime("%Y-%m-%d %H:%M:%S,") + f"{x.microsecond // 1000:03d}"

        gt = lf.in_service + timedelta(seconds=rng.randrange(20, 40))
        lines = [
            (
                b,
                f"{pyts(b)} INFO bootstrap: instance {lf.inst.id} ({lf.inst.az}) starting pawpoint-web bootstrap, release {release}",
            ),
            (
                b + timedelta(seconds=1),
                f"{pyts(b + timedelta(seconds=1))} INFO bootstrap: pulled artifact s3://pawpoint-artifacts-{acct}/web/{release}.tar.gz (41.2 MiB)",
            ),
            (
                gt - timedelta(seconds=1),
                f"{pyts(gt - timedelta(seconds=1))} INFO bootstrap: rendering /etc/pawpoint/web.env from secret {secret_name}",
            ),
            (
                gt + timedelta(milliseconds=180),
                f"{pyts(gt + timedelta(milliseconds=180))} ERROR bootstrap: aws secretsmanager get-secret-value failed (exit 254): An error occurred (AccessDeniedException) when calling the GetSecretValue operation: Access to KMS is not allowed",
            ),
            (
                gt + timedelta(milliseconds=200),
                f"{pyts(gt + timedelta(milliseconds=200))} ERROR bootstrap: /etc/pawpoint/web.env not written; starting pawpoint-web.service anyway",
            ),
        ]
        for x, msg in lines:
            if x < now:
                logs.append(k.log(boot_g, stream, x, msg))
        x = gt + timedelta(seconds=2)
        pid = rng.randrange(1500, 3000)
        host = "ip-" + lf.inst.ip.replace(".", "-")
        end = lf.term or now
        while x < end and x < now:
            logs.append(
                k.log(
                    app_g,
                    f"{lf.inst.id}/app.log",
                    x,
                    json.dumps(
                        {
                            "level": 60,
                            "time": k.ms(x),
                            "pid": pid,
                            "hostname": host,
                            "err": {
                                "type": "ConfigError",
                                "message": "missing required configuration: DATABASE_URL, SESSION_SECRET, STRIPE_API_KEY",
                                "stack": "ConfigError: missing required configuration: DATABASE_URL, SESSION_SECRET, STRIPE_API_KEY\n    at loadConfig (/opt/pawpoint/web/dist/config.js:41:11)\n    at Object.<anonymous> (/opt/pawpoint/web/dist/server.js:12:16)\n    at Module._compile (node:internal/modules/cjs/loader:1369:14)",
                            },
                            "msg": "fatal: cannot start",
                        },
                        separators=(",", ":"),
                    ),
                )
            )
            pid += rng.randrange(3, 9)
            x += timedelta(seconds=rng.randrange(10, 14))
    # worker logs
    wk_g = "/pawpoint/worker/app"
    wk_stream = "i-0" + k.hexs(rng, 16) + "/worker.log"
    t = start + timedelta(seconds=rng.randrange(30, 90))
    while t < now:
        jobs = [
            "send-appointment-reminder",
            "sync-clinic-calendar",
            "charge-no-show-fee",
            "refresh-vet-availability",
        ]
        logs.append(
            k.log(
                wk_g,
                wk_stream,
                t,
                json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(t),
                        "job": rng.choice(jobs),
                        "durationMs": rng.randrange(40, 900),
                        "msg": "job done",
                    },
                    separators=(",", ":"),
                ),
            )
        )
        t += timedelta(seconds=rng.randrange(45, 150))
    # reminder Lambda
    lg = f"/aws/lambda/{fn_name}"
    stream = k.lambda_stream(rng, start)
    for t in lam_times:
        if t >= deploy_lambda:
            stream = stream if t - deploy_lambda > timedelta(minutes=5) else k.lambda_stream(rng, t)
        off = t + timedelta(seconds=rng.randrange(1, 4))
        n = rng.randrange(3, 40)
        logs += k.lambda_report(
            rng,
            lg,
            stream,
            off,
            k.jitter(rng, 1900, 0.15),
            256,
            rng.randrange(88, 104),
            extra=[
                (300, f"{k.iso_ms(off)}\t{{rid}}\tINFO\tqueued {n} reminder SMS for slots in the next 24h\n")
            ],
        )

    # --- resources ------------------------------------------------------------------------------------------
    resources: list[dict[str, object]] = [
        k.vpc(vpc_id, "10.40.0.0/16", acct, "pawpoint-prod", "dopt-0" + k.hexs(rng, 16)),
    ]
    for sid, az, azid, pre in priv:
        resources.append(
            k.subnet(
                sid,
                vpc_id,
                pre + ".0/20",
                az,
                azid,
                acct,
                REGION,
                f"pawpoint-prod-private-{az[-1]}",
                rng.randrange(3900, 4060),
            )
        )
    for sid, az, azid, pre in pub:
        resources.append(
            k.subnet(
                sid,
                vpc_id,
                pre + ".0/24",
                az,
                azid,
                acct,
                REGION,
                f"pawpoint-prod-public-{az[-1]}",
                rng.randrange(240, 250),
                public=True,
            )
        )
    resources += [
        k.security_group(
            sg_alb,
            "pawpoint-web-alb",
            "pawpoint web ALB",
            vpc_id,
            acct,
            REGION,
            [
                k.perm("tcp", 443, 443, cidrs=[("0.0.0.0/0", "")]),
                k.perm("tcp", 80, 80, cidrs=[("0.0.0.0/0", "")]),
            ],
        ),
        k.security_group(
            sg_web,
            "pawpoint-web",
            "pawpoint web instances",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 3000, 3000, groups=[(sg_alb, "from ALB")], acct=acct)],
        ),
        k.security_group(sg_worker, "pawpoint-worker", "pawpoint worker instances", vpc_id, acct, REGION, []),
        k.security_group(
            sg_db,
            "pawpoint-pg",
            "pawpoint postgres",
            vpc_id,
            acct,
            REGION,
            [k.perm("tcp", 5432, 5432, groups=[(sg_web, "web"), (sg_worker, "worker")], acct=acct)],
        ),
        lb_res,
        tg_res,
        k.listener(rng, lb_arn, tg_arn, f"arn:aws:acm:{REGION}:{acct}:certificate/{k.uid(rng)}"),
    ]
    tag = {
        "Name": "pawpoint-web-prod",
        "service": "pawpoint-web",
        "env": "prod",
        "aws:autoscaling:groupName": asg_name,
    }
    for i in old:
        resources.append(
            k.instance(
                rng,
                i,
                acct=acct,
                region=REGION,
                vpc_id=vpc_id,
                itype="m6i.large",
                ami=ami,
                profile=web_role,
                sgs=[(sg_web, "pawpoint-web")],
                tag=tag,
                lt=lt,
            )
        )
        resources.append(k.instance_status(i, dict(AZS)[i.az]))
    for lf in lives:
        resources.append(
            k.instance(
                rng,
                lf.inst,
                acct=acct,
                region=REGION,
                vpc_id=vpc_id,
                itype="m6i.large",
                ami=ami,
                profile=web_role,
                sgs=[(sg_web, "pawpoint-web")],
                tag=tag,
                lt=lt,
            )
        )
        if lf.inst.state == "running":
            resources.append(k.instance_status(lf.inst, dict(AZS)[lf.inst.az]))
    members = [(i, "InService", "Healthy") for i in old]
    for lf in lives:
        if lf.gone:
            continue
        if lf.term:
            members.append((lf.inst, "Terminating", "Unhealthy"))
        elif lf.in_service <= now:
            members.append((lf.inst, "InService", "Healthy"))
        else:
            members.append((lf.inst, "Pending", "Healthy"))
    asg_item = k.asg(
        asg_name,
        acct,
        REGION,
        lt,
        [tg_arn],
        [p[0] for p in priv],
        [a for a, _ in AZS],
        members,
        day - timedelta(days=611),
        min_size=4,
        max_size=12,
        desired=desired(now),
        itype="m6i.large",
        tag={"service": "pawpoint-web", "env": "prod"},
        rng=rng,
    )
    asg_item["item"]["AutoScalingGroupARN"] = asg_arn
    resources.append(asg_item)
    resources.append(
        k.res(
            "autoscaling",
            "ScalingPolicy",
            {
                "AutoScalingGroupName": asg_name,
                "PolicyName": "cpu-target-tracking",
                "PolicyARN": pol_arn,
                "PolicyType": "TargetTrackingScaling",
                "EstimatedInstanceWarmup": 180,
                "StepAdjustments": [],
                "Alarms": [
                    {"AlarmName": sp.name, "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{acct}:alarm:{sp.name}"}
                    for sp in (tt_high, tt_low)
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
    resources.append(
        k.res(
            "ec2",
            "LaunchTemplate",
            {
                "LaunchTemplateId": lt_id,
                "LaunchTemplateName": lt[1],
                "CreateTime": k.iso_ms(day - timedelta(days=611)),
                "CreatedBy": f"arn:aws:sts::{acct}:assumed-role/terraform-platform/terraform",
                "DefaultVersionNumber": int(lt_ver),
                "LatestVersionNumber": int(lt_ver),
                "Tags": [],
            },
        )
    )
    resources.append(
        k.res(
            "kms",
            "KeyMetadata",
            {
                "AWSAccountId": acct,
                "KeyId": key_id,
                "Arn": key_arn,
                "CreationDate": k.iso(day - timedelta(days=540)),
                "Enabled": True,
                "Description": "pawpoint application secrets",
                "KeyUsage": "ENCRYPT_DECRYPT",
                "KeyState": "Enabled",
                "Origin": "AWS_KMS",
                "KeyManager": "CUSTOMER",
                "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
                "KeySpec": "SYMMETRIC_DEFAULT",
                "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
                "MultiRegion": False,
            },
        )
    )
    resources.append(
        k.res("kms", "KeyPolicy", {"KeyId": key_id, "PolicyName": "default", "Policy": key_policy})
    )
    resources.append(
        k.res(
            "secretsmanager",
            "SecretListEntry",
            {
                "ARN": secret_arn,
                "Name": secret_name,
                "Description": "pawpoint-web runtime configuration",
                "KmsKeyId": key_arn,
                "RotationEnabled": False,
                "LastChangedDate": k.iso(day - timedelta(days=23)),
                "LastAccessedDate": k.iso(day),
                "Tags": k.tags({"service": "pawpoint-web"}),
                "SecretVersionsToStages": {secret_ver: ["AWSCURRENT"]},
                "CreatedDate": k.iso(day - timedelta(days=540)),
            },
        )
    )
    resources.append(
        k.iam_role(
            rng,
            web_role,
            acct,
            "ec2.amazonaws.com",
            day - timedelta(days=611),
            "pawpoint web instances",
            now - timedelta(minutes=2),
            REGION,
        )
    )
    resources.append(
        k.iam_role(
            rng,
            worker_role,
            acct,
            "ec2.amazonaws.com",
            day - timedelta(days=611),
            "pawpoint worker instances",
            now - timedelta(minutes=10),
            REGION,
        )
    )
    resources.append(
        k.res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": web_role,
                "PolicyName": "runtime",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["secretsmanager:GetSecretValue"],
                            "Resource": secret_arn,
                        },
                        {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": key_arn},
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject"],
                            "Resource": f"arn:aws:s3:::pawpoint-artifacts-{acct}/web/*",
                        },
                    ],
                },
            },
        )
    )
    resources.append(
        k.res(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": web_role,
                "PolicyName": "CloudWatchAgentServerPolicy",
                "PolicyArn": "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
            },
        )
    )
    resources.append(
        k.res(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": web_role,
                "PolicyName": "AmazonSSMManagedInstanceCore",
                "PolicyArn": "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
            },
        )
    )
    resources.append(
        k.rds_instance(
            rng,
            db_id,
            acct,
            REGION,
            "us-west-2a",
            klass="db.r6g.xlarge",
            engine="postgres",
            version="15.6",
            sg=sg_db,
            subnet_group="pawpoint-prod-db",
            vpc_id=vpc_id,
            created=day - timedelta(days=600),
            now=now,
            storage=400,
        )
    )
    resources.append(
        k.lambda_fn(
            rng,
            fn_name,
            acct,
            REGION,
            runtime="nodejs20.x",
            handler="index.handler",
            role="pawpoint-reminder-sender",
            memory=256,
            timeout=60,
            modified=deploy_lambda + timedelta(seconds=2),
            desc="Queues reminder SMS",
        )
    )
    for g in (app_g, boot_g, wk_g, lg):
        resources.append(
            k.log_group(g, acct, REGION, day - timedelta(days=500), 30, rng.randrange(10**8, 10**10))
        )

    # --- manifest ---------------------------------------------------------------------------------------
    p99_first = [
        h
        for h in history
        if h["AlarmName"] == "pawpoint-web-p99-latency"
        and h["HistorySummary"] == "Alarm updated from OK to ALARM"
    ]
    felt = (
        datetime.fromisoformat(str(p99_first[0]["Timestamp"]).replace("Z", "+00:00"))
        if p99_first
        else first_scale
    )
    local = felt - timedelta(hours=6) - timedelta(minutes=rng.randrange(3, 9))
    ask = (local + timedelta(minutes=rng.choice([-5, 0, 5]))).replace(second=0)
    hour = ask.hour - 12 if ask.hour > 12 else ask.hour
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": (
                    f"pawpoint-web has been sluggish since about {hour}:{ask.minute // 5 * 5:02d}pm and the ASG keeps "
                    "launching instances and killing them a few minutes later. Nothing was deployed to web today. "
                    "What's going on and what should we do?"
                ),
                "timezone": "America/Denver",
                "alarm_event": None,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": key_arn,
                    "category": "change",
                    "failure_mode": "kms-key-policy-dropped-role-access",
                    "event_id": culprit,
                },
                "also_accept": [key_id, "alias/pawpoint-app-secrets"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"PutKeyPolicy on KMS key {key_id} (alias/pawpoint-app-secrets) replaced the policy without the account-root statement; {web_role} is not named in it",
                    f"New instances of {asg_name} cannot decrypt secret {secret_name} at boot (AccessDenied from KMS via Secrets Manager) and the app never starts",
                    "They fail ALB health checks and the ASG terminates and replaces them every few minutes",
                    "The four older instances, which loaded the secret before the change, carry the afternoon peak alone: CPU and latency climb",
                ],
            },
        }
    )
    records = {
        "metrics": k.sort_metrics(m.rows),
        "alarms": alarms,
        "alarm_history": sorted(history, key=lambda h: (str(h["Timestamp"]), str(h["AlarmName"]))),
        "logs": k.sort_logs(logs),
        "cloudtrail": trail.sorted(),
        "resources": resources,
        "events": events,
    }
    return Bundle(manifest, records)
