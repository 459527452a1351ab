"""No fault: the web fleet's static CPU alarm fires on the morning ramp until target tracking scales out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzy import Env, change_noise, iso, traffic

NAME = "web-cpu-morning-scale-out"
TITLE = "Web tier CPU alarm paged at the start of the working day; site looks fine"
SUMMARY = (
    "The morning traffic ramp pushed web-fleet CPU past a static 65% alarm for a few minutes until the "
    "target-tracking policy added instances; latency and errors stayed normal. Nothing is wrong."
)

APPS = ["cobaltline", "wrenhaven", "mistral-books", "halyard", "tansy"]


def build(seed: int) -> Bundle:
    env = Env(seed, NAME, (6, 7))
    r = env.rng
    env.app = r.choice(APPS)
    env._topology()
    zone = r.choice(["Europe/Berlin", "Europe/Warsaw", "Europe/Rome"])
    n0 = len(env.instances)
    add = 2 if n0 <= 3 else 3
    base_cpu = r.uniform(22, 28)
    slope = r.uniform(3.2, 4.5)  # % a minute while the send lands
    peak = r.uniform(71, 75)
    t50 = env.onset.replace(second=0) - timedelta(minutes=r.randint(7, 9))
    ramp0 = t50 - timedelta(minutes=(50 - base_cpu) / slope)
    minutes = env.minutes()
    noise = {t: r.uniform(-1.2, 1.2) for t in minutes}

    def fleet(t: datetime) -> float:
        """Fleet CPU were it still n0 instances: flat, a steep rise, a plateau, a slow ease."""
        m = (t - ramp0).total_seconds() / 60
        if m < 0:
            return base_cpu + noise[t] * 2
        rise = min(peak, base_cpu + slope * m)
        plateau_end = (peak - base_cpu) / slope + 50
        if m > plateau_end:
            rise = max(base_cpu + 15, peak - (m - plateau_end) * 0.08)
        return rise + noise[t]

    def first_run(series: dict[datetime, float], above: float, run: int, after: datetime) -> datetime:
        streak = 0
        for t in minutes:
            if t < after:
                continue
            streak = streak + 1 if series[t] > above else 0
            if streak == run:
                return t
        return minutes[-1]

    raw = {t: fleet(t) for t in minutes}
    hi_last = first_run(raw, 50.0, 3, env.start)
    hi_fire = hi_last + timedelta(minutes=1, seconds=r.randint(10, 40))
    warm = timedelta(minutes=r.randint(6, 7), seconds=r.randint(0, 50))
    new: list[dict[str, Any]] = []
    for k in range(add):
        az = (n0 + k) % 3
        new.append(
            {
                "id": "i-" + env.hexid(),
                "az": az,
                "ip": f"10.{env.ip_base}.{10 + az * 16 + r.randint(0, 12)}.{r.randint(5, 250)}",
                "launched": hi_fire + timedelta(seconds=r.randint(20, 40)),
            }
        )
    serving = hi_fire + warm

    def in_service(t: datetime) -> int:
        return n0 + (add if t >= serving else 0)

    asg_cpu = {t: raw[t] * n0 / in_service(t) + r.uniform(-1.8, 1.8) for t in minutes}
    static_last = first_run(asg_cpu, 65.0, 3, env.start)
    static_fire = static_last + timedelta(minutes=1, seconds=r.randint(10, 40))
    env.onset = static_fire
    ok_t = next(t for t in minutes if t > static_last and asg_cpu[t] <= 65.0)
    base_req = r.uniform(70, 120) * 60

    def mod(key: str, t: datetime, v: float | None) -> float | None:
        if v is None:
            return None
        if key == "RequestCount":
            return base_req * raw[t] / base_cpu * r.uniform(0.97, 1.03)
        if key == "CPU:asg":
            return asg_cpu[t]
        if key.startswith("CPU:"):
            inst = next((i for i in new if i["id"] == key[4:]), None)
            if inst is not None and t < serving:
                return 35 + r.uniform(0, 30)  # boot and warm-up
            return asg_cpu[t] + r.uniform(-3, 3)
        if key == "HealthyHostCount":
            return float(in_service(t))
        if key.startswith("HealthyHostCount:"):
            zone_idx = env.azs.index(key.split(":")[1])
            here = sum(1 for i in orig if i["az"] == zone_idx)
            return float(here + (sum(1 for i in new if i["az"] == zone_idx) if t >= serving else 0))
        if key == "TargetResponseTime":
            return v + max(0.0, asg_cpu[t] - 60) * 0.002
        if key == "RDS:CPU":
            return v * (0.7 + 0.3 * raw[t] / base_cpu)
        return v

    orig = list(env.instances)
    env.instances.extend(new)
    traffic(env, base_req / 60, mod, log_every=2)
    asg_size = n0 + add
    env.base_resources()
    for res in env.resources:
        if res["type"] == "AutoScalingGroup":
            res["item"]["DesiredCapacity"] = asg_size
            res["item"]["MinSize"] = n0
    asg_arn = next(x["item"]["AutoScalingGroupARN"] for x in env.resources if x["type"] == "AutoScalingGroup")
    hi_name = f"TargetTracking-{env.asg}-AlarmHigh-{env.uuid()}"
    lo_name = f"TargetTracking-{env.asg}-AlarmLow-{env.uuid()}"
    policy_arn = (
        f"arn:aws:autoscaling:{env.region}:{env.account}:scalingPolicy:{env.uuid()}:autoScalingGroupName/"
        f"{env.asg}:policyName/cpu-target-50"
    )
    env.add_resource(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": env.asg,
            "PolicyName": "cpu-target-50",
            "PolicyARN": policy_arn,
            "PolicyType": "TargetTrackingScaling",
            "EstimatedInstanceWarmup": 240,
            "Enabled": True,
            "Alarms": [
                {
                    "AlarmName": hi_name,
                    "AlarmARN": f"arn:aws:cloudwatch:{env.region}:{env.account}:alarm:{hi_name}",
                },
                {
                    "AlarmName": lo_name,
                    "AlarmARN": f"arn:aws:cloudwatch:{env.region}:{env.account}:alarm:{lo_name}",
                },
            ],
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 50.0,
                "DisableScaleIn": False,
            },
        },
    )
    cause = (
        f"At {iso(hi_fire)} a monitor alarm {hi_name} in state ALARM triggered policy cpu-target-50 changing "
        f"the desired capacity from {n0} to {asg_size}.  At {iso(hi_fire + timedelta(seconds=8))} an instance "
        f"was started in response to a difference between desired and running capacity, increasing the "
        f"capacity from {n0} to {asg_size}."
    )
    for inst in new:
        env.events.append(
            {
                "source": "autoscaling",
                "item": {
                    "ActivityId": env.uuid(),
                    "AutoScalingGroupName": env.asg,
                    "AutoScalingGroupARN": asg_arn,
                    "Description": f"Launching a new EC2 instance: {inst['id']}",
                    "Cause": cause,
                    "StartTime": iso(inst["launched"]),
                    "EndTime": iso(inst["launched"] + timedelta(seconds=r.randint(150, 210))),
                    "StatusCode": "Successful",
                    "Progress": 100,
                    "Details": f'{{"Subnet ID":"{env.app_subnets[inst["az"]]}","Availability Zone":"{env.azs[inst["az"]]}"}}',
                },
            }
        )
        env.ct(
            inst["launched"],
            "ec2.amazonaws.com",
            "RunInstances",
            env.who_asg(),
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {"launchTemplateId": env.lt, "version": "14"},
                "subnetId": env.app_subnets[inst["az"]],
                "clientToken": env.uuid(),
                "disableApiStop": False,
            },
            {
                "requestId": env.uuid(),
                "reservationId": "r-" + env.hexid(),
                "ownerId": env.account,
                "requesterId": "940372691376",
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": inst["id"],
                            "imageId": env.ami,
                            "instanceType": "m6i.large",
                            "privateIpAddress": inst["ip"],
                            "instanceState": {"code": 0, "name": "pending"},
                        }
                    ]
                },
            },
        )

    # CloudTrail noise
    env.readonly_noise(r.randint(40, 55))
    change_noise(env, env.onset, 5)

    # alarms
    asgd = {"AutoScalingGroupName": env.asg}
    hi = env.alarm(
        hi_name,
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Average",
        60,
        50.0,
        "GreaterThanThreshold",
        3,
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
    )
    hi["AlarmActions"] = [policy_arn]
    hi["OKActions"] = []
    hi["_prev"] = iso(hi_fire - timedelta(hours=r.randint(20, 23)))
    env.fire(hi, hi_fire, [asg_cpu[hi_last - timedelta(minutes=k)] for k in (2, 1, 0)])
    lo = env.alarm(
        lo_name,
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Average",
        60,
        45.0,
        "LessThanThreshold",
        15,
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
        state="OK",
    )
    lo["AlarmActions"] = [policy_arn]
    lo["OKActions"] = []
    lo["StateValue"] = "ALARM"
    lo["StateReason"] = "Threshold Crossed: 15 datapoints were less than the threshold (45.0)."
    lo["StateUpdatedTimestamp"] = iso(env.start - timedelta(hours=9))
    lo["StateTransitionedTimestamp"] = iso(env.start - timedelta(hours=9))
    lo_t = next(t for t in minutes if t > ramp0 and asg_cpu[t] >= 45.0)
    env.fire(
        lo, lo_t + timedelta(minutes=1, seconds=r.randint(10, 40)), [asg_cpu[lo_t]], new="OK", old="ALARM"
    )
    static = env.alarm(
        f"{env.app}-web-cpu-high",
        "AWS/EC2",
        "CPUUtilization",
        asgd,
        "Average",
        60,
        65.0,
        "GreaterThanThreshold",
        3,
        "Web fleet average CPU above 65% for 3 minutes",
    )
    event = env.fire(static, static_fire, [asg_cpu[static_last - timedelta(minutes=k)] for k in (2, 1, 0)])
    env.fire(
        static, ok_t + timedelta(minutes=1, seconds=r.randint(10, 40)), [asg_cpu[ok_t]], new="OK", old="ALARM"
    )
    lb = {"LoadBalancer": env.alb_dim}
    env.alarm(
        f"{env.app}-alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lb,
        "Sum",
        60,
        60,
        "GreaterThanThreshold",
        3,
        "Web ALB target 5xx above 60/min",
        treat_missing="notBreaching",
    )
    env.alarm(
        f"{env.app}-alb-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Average",
        60,
        0.6,
        "GreaterThanThreshold",
        5,
        "Average target response time above 600 ms for 5 minutes",
    )
    env.alarm(
        f"{env.app}-rds-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": env.db},
        "Average",
        300,
        80,
        "GreaterThanThreshold",
        3,
        "RDS CPU above 80% for 15 minutes",
    )

    local = env.onset.astimezone(ZoneInfo(zone))
    question = (
        f"Got paged for {env.app}-web-cpu-high at {local.strftime('%H:%M')}. CPU on the web servers went to "
        "~70%. The site loads fine for me, but is something eating CPU, bots maybe? Do we need to do "
        "anything?"
    )
    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    return env.bundle(TITLE, {"question": question, "alarm_event": event, "timezone": zone}, truth)
