"""#15 "Why didn't the ASG scale out?": the scaling policy's alarm never met its threshold.

The web tier scales with a simple or step policy on the group's average CPU. Traffic rises (a
campaign, push-notification waves); instances run hot and latency climbs, but the alarm either sits
just below a threshold set too high, or crosses it in bursts shorter than its evaluation periods.
Nothing changed recently: the policy has been like this for months. Desired capacity stays flat.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from typing import Any

from evals.bundle.model import RootCause, Truth
from evals.scenarios import alarms as alarm_lib
from evals.scenarios import assembly, logs
from evals.scenarios.account import Service
from evals.scenarios.alarms import AlarmSpec
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library._extra_resources import ExtendedIncident, new_incident
from evals.scenarios.registry import scenario
from evals.scenarios.series import ramp

QUESTIONS = [
    "{svc} was slow from {t} and the ASG never added instances. Why didn't it scale out?",
    "Why didn't {asg} scale out when traffic jumped at {t}?",
    "Traffic spiked {t}, latency went up, but we stayed at {n} instances. Isn't autoscaling supposed to "
    "handle this?",
]
THRESHOLDS = [70.0, 75.0, 80.0, 85.0, 90.0, 95.0]
LATENCY_STEPS = [0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0]


@scenario(
    15,
    "asg-no-scale-out",
    "The ASG did not scale out: its alarm never met threshold and periods",
    "Traffic rises and the web tier runs hot, but the step/simple policy's CPU alarm never goes to ALARM.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    inc.protected.add(svc.asg_arn)
    # The other tier scales by target tracking and already runs at its minimum.
    acct.services[-1].min_size = acct.services[-1].desired
    waves = rng.random() < 0.5
    traffic = Traffic.draw(inc)
    _surge(inc, traffic, svc, waves)
    build_baseline(inc, traffic)
    onset_i = w.index(w.onset)
    cpu = inc.get("AWS/EC2", "CPUUtilization", AutoScalingGroupName=svc.asg_name)
    inc.hop("scale-out alarm stays below its threshold", svc.asg_arn, w.onset)
    inc.hop("requests to the web tier rise", svc.tg_arn, w.onset, _tg(inc, svc, "RequestCount"))
    inc.hop("instance CPU rises", svc.asg_arn, w.same_minute(w.onset, rng, (1, 30)), cpu)

    slowdown = [1.0] * w.minutes
    for i in range(onset_i, w.minutes):
        load = max(0.0, ((cpu.values[i] or 0.0) - 60.0) / 35.0)
        slowdown[i] = 1 + 6 * load * load * rng.uniform(0.9, 1.1)
    lat = _tg(inc, svc, "TargetResponseTime")
    t5 = _tg(inc, svc, "HTTPCode_Target_5XX_Count")
    rpm = traffic.rpm[svc.name]
    for i in range(onset_i, w.minutes):
        lat.values[i] = (lat.values[i] or 0.1) * slowdown[i]
        # Past ~90% CPU some requests exceed the app's own request timeout.
        hot = max(0.0, ((cpu.values[i] or 0.0) - 88.0) / 12.0)
        t5.values[i] = (t5.values[i] or 0) + float(poisson(rng, rpm[i] * 0.02 * hot))
    refresh_alb_latency(inc, traffic)
    lat_at = w.same_minute(w.onset, rng, (31, 59)) + timedelta(minutes=1)
    inc.hop("target response time rises", svc.tg_arn, lat_at, lat)

    # A batch spike on one worker would move that tier's target-tracking alarm, which the shared
    # noise does not propagate to the group's average CPU.
    topic = assembly.background(
        inc,
        traffic,
        near=["asg_max_size", "launch_template_version", "target_group_attributes"],
        noise_exclude=("batch_cpu",),
    )
    _stretch_traces(inc, svc, slowdown)
    _slow_logs(inc, svc, traffic, slowdown)
    policy, spec = _scaling_policy(inc, svc, cpu, waves)
    _peer_target_tracking(inc, acct.services[-1])
    alarms = assembly.standard_alarms(inc, topic, replace={"latency": _latency_alarm(inc, svc, lat)})
    n = len(svc.alive(w.onset))
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, asg=svc.asg_name, n=n
    )
    assembly.pick_trigger(inc, alarms, ["latency"], w.onset, question, ask=1.0)
    inc.title = f"{svc.asg_name} did not scale out under load"
    why = (
        f"its {spec.evaluation_periods} x {spec.period // 60}-minute periods were never all above "
        f"{spec.threshold:.0f}%"
        if waves
        else f"the group's average CPU peaked below the {spec.threshold:.0f}% threshold"
    )
    inc.truth = Truth(
        root_cause=RootCause(
            resource=svc.asg_arn, category="change", failure_mode="scaling-alarm-threshold-never-met"
        ),
        actions=["scale", "reconfigure"],
        chain=[
            f"{svc.asg_name} scales out only on alarm {spec.name} ({policy['PolicyType']} policy "
            f"{policy['PolicyName']}): average CPU > {spec.threshold:.0f}% for {spec.evaluation_periods} "
            f"of {spec.evaluation_periods} {spec.period // 60}-minute periods",
            f"traffic to {svc.name} rises; {why}, so the alarm stays OK",
            f"desired capacity stays at {svc.desired}; instances run hot and {svc.name} latency rises",
        ],
    )
    return inc


def _tg(inc: Incident, svc: Service, metric: str) -> Any:
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": inc.account.alb_dimension}
    return inc.get("AWS/ApplicationELB", metric, **tg)


def _surge(inc: Incident, traffic: Traffic, svc: Service, waves: bool) -> None:
    """More requests from the onset on: a plateau, or waves a few minutes long every quarter hour."""
    rng, w = inc.rng, inc.window
    rpm = traffic.rpm[svc.name]
    onset_i = w.index(w.onset)
    n = len(svc.alive(w.onset))
    per_instance = traffic.cpu_per_request[svc.name] * rpm[onset_i] / n
    target = rng.uniform(86, 97) if waves else rng.uniform(72, 88)
    gain = min(4.0, max(1.4, (target - 4) / max(per_instance, 1e-6)))
    rise = rng.randrange(4, 9)
    period = rng.randrange(12, 20)
    high = rng.randrange(5, min(9, period - 4))
    for i in range(onset_i, w.minutes):
        k = i - onset_i
        level = ramp(k + 1, rise)
        if waves and k >= rise + high:
            # Between waves the load falls back most of the way to the usual level.
            in_wave = (k - rise) % period < high
            level = 1.0 if in_wave else rng.uniform(0.1, 0.25)
        rpm[i] *= 1 + (gain - 1) * level * (1 + rng.gauss(0, 0.03))


def _scaling_policy(
    inc: ExtendedIncident, svc: Service, cpu: Any, waves: bool
) -> tuple[dict[str, Any], AlarmSpec]:
    """The scale-out policy and its alarm, tuned (long ago) so that this load never breaches it."""
    rng, w, acct = inc.rng, inc.window, inc.account
    onset_i = w.index(w.onset)
    period = 300
    averages = [
        sum(v for v in chunk if v is not None) / max(1, sum(1 for v in chunk if v is not None))
        for chunk in (cpu.values[k : k + 5] for k in range(0, w.minutes - 4, 5))
    ]
    peak = max(averages[onset_i // 5 :])
    name = rng.choice([f"{svc.asg_name}-cpu-high", f"{svc.asg_name}-scale-out", f"{svc.name}-asg-cpu-above"])
    spec = AlarmSpec(
        name, cpu, "Average", period, 0.0, "GreaterThanThreshold", 1, 1, "missing", "Scale out on CPU"
    )
    if waves:
        spec.threshold = max([t for t in THRESHOLDS[:4] if t <= peak - 4] or [THRESHOLDS[0]])
        for periods in range(3, 13):
            spec.evaluation_periods = spec.datapoints_to_alarm = periods
            if not any(t.new == "ALARM" for t in spec.evaluate(inc)):
                break
        else:
            waves = False
    if not waves:
        spec.threshold = min([t for t in THRESHOLDS if t >= peak + 1.5] or [99.0])
        spec.evaluation_periods = spec.datapoints_to_alarm = rng.choice([2, 3])
    policy_name = rng.choice(["scale-out", "cpu-scale-out", f"{svc.name}-step-up", "add-capacity"])
    policy_arn = (
        f"arn:aws:autoscaling:{acct.region}:{acct.account_id}:scalingPolicy:{acct.ids.uuid()}:"
        f"autoScalingGroupName/{svc.asg_name}:policyName/{policy_name}"
    )
    alarm_lib.add_alarm(inc, spec, policy_arn)
    item = inc.alarms[-1]
    # A scaling alarm acts on its policy only; no notification on OK.
    item["AlarmActions"], item["OKActions"] = [policy_arn], []
    policy: dict[str, Any] = {
        "AutoScalingGroupName": svc.asg_name,
        "PolicyName": policy_name,
        "PolicyARN": policy_arn,
        "AdjustmentType": "ChangeInCapacity",
        "Alarms": [{"AlarmName": spec.name, "AlarmARN": spec.arn(inc)}],
        "Enabled": True,
    }
    if rng.random() < 0.5:
        policy |= {"PolicyType": "SimpleScaling", "ScalingAdjustment": rng.choice([1, 2]), "Cooldown": 300}
    else:
        policy |= {
            "PolicyType": "StepScaling",
            "MetricAggregationType": "Average",
            "EstimatedInstanceWarmup": svc.grace_seconds,
            "StepAdjustments": [
                {"MetricIntervalLowerBound": 0.0, "MetricIntervalUpperBound": 10.0, "ScalingAdjustment": 1},
                {"MetricIntervalLowerBound": 10.0, "ScalingAdjustment": 2},
            ],
        }
    inc.resource("autoscaling", "ScalingPolicy", policy)
    return policy, spec


def _peer_target_tracking(inc: ExtendedIncident, svc: Service) -> None:
    """A target-tracking policy on the other tier, with the two alarms AWS creates for it.

    Its low alarm sits in ALARM most of the day: at minimum capacity, scale-in does nothing.
    """
    rng, acct = inc.rng, inc.account
    cpu = inc.get("AWS/EC2", "CPUUtilization", AutoScalingGroupName=svc.asg_name)
    peak = max(v for v in cpu.values if v is not None)
    target = float(next(t for t in (50, 60, 70, 80, 90) if t > peak + 5))
    name = rng.choice(["cpu-target-tracking", f"{svc.name}-target-cpu", "target-tracking-cpu"])
    arn = (
        f"arn:aws:autoscaling:{acct.region}:{acct.account_id}:scalingPolicy:{acct.ids.uuid()}:"
        f"autoScalingGroupName/{svc.asg_name}:policyName/{name}"
    )
    alarms = []
    for kind, comparison, threshold, periods in (
        ("AlarmHigh", "GreaterThanThreshold", target, 3),
        ("AlarmLow", "LessThanThreshold", round(target * 0.9, 1), 15),
    ):
        spec = AlarmSpec(
            f"TargetTracking-{svc.asg_name}-{kind}-{acct.ids.uuid()}",
            cpu,
            "Average",
            60,
            threshold,
            comparison,
            periods,
            periods,
            "missing",
            f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {arn}.",
        )
        alarm_lib.add_alarm(inc, spec, arn)
        inc.alarms[-1]["OKActions"] = []
        alarms.append({"AlarmName": spec.name, "AlarmARN": spec.arn(inc)})
    inc.resource(
        "autoscaling",
        "ScalingPolicy",
        {
            "AutoScalingGroupName": svc.asg_name,
            "PolicyName": name,
            "PolicyARN": arn,
            "PolicyType": "TargetTrackingScaling",
            "Alarms": alarms,
            "TargetTrackingConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": target,
                "DisableScaleIn": False,
            },
            "Enabled": True,
        },
    )


def _latency_alarm(inc: Incident, svc: Service, lat: Any) -> AlarmSpec:
    """The team's latency alarm: a round number a few times above their usual response time."""
    w = inc.window
    onset_i = w.index(w.onset)
    usual = max(v for v in lat.values[onset_i - 120 : onset_i] if v is not None)
    loaded = sorted(v for v in lat.values[onset_i:] if v is not None)
    busy = loaded[len(loaded) // 2]
    fits = [s for s in LATENCY_STEPS if usual * 1.5 < s < busy * 0.8]
    threshold = fits[0] if fits else round(math.sqrt(usual * busy), 2)
    return AlarmSpec(
        f"{svc.tg_name}-latency",
        lat,
        "Average",
        60,
        threshold,
        "GreaterThanThreshold",
        5,
        3,
        "missing",
        f"{svc.name} is slow",
    )


def _stretch_traces(inc: Incident, svc: Service, slowdown: list[float]) -> None:
    """CPU-starved hosts run every step of a request slower, not one dependency."""
    w = inc.window
    name = f"{inc.account.product}-{svc.name}"
    for seg in inc.traces:
        if seg["name"] != name or seg["start_time"] < w.onset.timestamp():
            continue
        factor = slowdown[min(w.minutes - 1, int((seg["start_time"] - w.start.timestamp()) // 60))]
        t0 = seg["start_time"]
        for part in [seg, *seg["subsegments"]]:
            part["start_time"] = round(t0 + (part["start_time"] - t0) * factor, 6)
            part["end_time"] = round(t0 + (part["end_time"] - t0) * factor, 6)


def _slow_logs(inc: Incident, svc: Service, traffic: Traffic, slowdown: list[float]) -> None:
    rng, w = inc.rng, inc.window
    for i in range(w.index(w.onset), w.minutes):
        if slowdown[i] < 2:
            continue
        for inst in svc.alive(w.at(i)):
            for _ in range(min(poisson(rng, slowdown[i] / 2), 6)):
                t = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
                ms = int(rng.uniform(900, 1800) * slowdown[i] / 2)
                message = rng.choice(
                    [
                        f"Slow request: {rng.choice(logs.ROUTES)} took {ms}ms",
                        f"Worker pool busy ({rng.randrange(28, 33)}/32); request queued for {ms // 3}ms",
                    ]
                )
                logs.app_line(inc, svc, inst, t, "WARN", message)
