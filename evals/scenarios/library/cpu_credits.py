"""#14 A T3 instance ran out of CPU credits and is throttled to its baseline.

One instance of a burstable web tier also runs the scheduled jobs (it holds the scheduler lock), so
it spends more CPU credits than it earns. Hours later its balance reaches zero, its CPU is held at
the baseline, and the requests the load balancer sends to it queue and time out.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, logs, platform_events
from evals.scenarios.account import Instance
from evals.scenarios.baseline import (
    Traffic,
    build_baseline,
    credit_balance,
    refresh_alb_latency,
    refresh_asg_cpu,
)
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "{svc} is slow since {t}, but only some requests. What's going on?",
    "Latency on {product} jumped at {t}. Nothing was deployed today.",
    "Some {svc} requests time out since {t}; others are fine. Why?",
]
BASELINE_CPU = {"t3.medium": 20.0, "t3.large": 30.0}
JOBS = ["reindex-catalog", "send-digest-emails", "expire-carts", "sync-inventory", "rebuild-sitemap"]


@scenario(
    14,
    "t3-cpu-credits",
    "T3 instance out of CPU credits",
    "The instance running scheduled jobs exhausts its CPU credits and is throttled; its requests time out.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    svc.instance_type = rng.choice(sorted(BASELINE_CPU))
    for inst in svc.instances:
        inst.instance_type = svc.instance_type
    svc.health_check_type = "EC2"
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    onset_i = w.index(w.onset)
    leader = rng.choice(svc.alive(w.start))
    inc.protected.add(leader.id)
    cpu = inc.get("AWS/EC2", "CPUUtilization", InstanceId=leader.id)
    balance = inc.get("AWS/EC2", "CPUCreditBalance", InstanceId=leader.id)
    usage = inc.get("AWS/EC2", "CPUCreditUsage", InstanceId=leader.id)
    base_cpu = [v or 0.0 for v in cpu.values]
    start_fraction = rng.uniform(0.2, 0.45)
    extra = _extra_cpu(svc.instance_type, base_cpu, start_fraction, onset_i)
    jitter = [rng.gauss(0, 2) for _ in base_cpu]
    floor = BASELINE_CPU[svc.instance_type]
    hot = [min(100.0, b + extra + j) for b, j in zip(base_cpu, jitter, strict=True)]
    credits = credit_balance(svc.instance_type, list(hot), start_fraction)
    empty = next(i for i, c in enumerate(credits) if c is not None and c <= 0.0)
    # Out of credits, a standard-mode instance gets exactly its baseline.
    for i in range(empty, w.minutes):
        hot[i] = floor - abs(rng.gauss(0, 0.3))
    cpu.values = list(hot)
    # Whatever it earns at the baseline it spends at once: the balance stays at zero.
    balance.values = [*credits[:empty], *([0.0] * (w.minutes - empty))]
    usage.values = [2 * c / 100 for c in hot]
    refresh_asg_cpu(inc)
    inc.window = w = type(w)(
        start=w.start,
        onset=w.at(empty) + timedelta(seconds=rng.randrange(0, 60)),
        now=w.now,
        utc_offset_hours=w.utc_offset_hours,
    )
    onset_i = empty
    inc.hop("CPU credit balance reaches zero", acct.instance_arn(leader.id), w.onset, balance, -1)
    inc.hop("CPU held at the baseline", acct.instance_arn(leader.id), w.onset)

    n = len(svc.alive(w.onset))
    slow = rng.uniform(6, 15)
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    elb5 = inc.get("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", LoadBalancer=acct.alb_dimension)
    rpm = traffic.rpm[svc.name]
    for i in range(onset_i, w.minutes):
        lat.values[i] = (lat.values[i] or 0.1) * (n - 1) / n + slow * rng.uniform(0.8, 1.2) / n
        elb5.values[i] = (elb5.values[i] or 0) + float(round(rpm[i] / n * rng.uniform(0.03, 0.15)))
    refresh_alb_latency(inc, traffic)
    inc.hop(
        "requests to the throttled instance slow down", svc.tg_arn, w.same_minute(w.onset, rng, (5, 40)), lat
    )
    _flapping_health(inc, leader, w.onset)

    job = rng.choice(JOBS)
    t = w.start + timedelta(seconds=rng.randrange(10, 300))
    while t < w.now:
        logs.app_line(inc, svc, leader, t, "INFO", f"Scheduler lock held; running job '{job}'")
        t += timedelta(minutes=rng.choice([5, 10, 15]), seconds=rng.randrange(0, 20))
    for i in range(onset_i, w.minutes):
        for _ in range(rng.randrange(2, 8)):
            when = w.moment(rng, i, w.onset)
            logs.app_line(
                inc,
                svc,
                leader,
                when,
                rng.choice(["WARN", "ERROR"]),
                rng.choice(
                    [
                        f"Slow request: GET /api/items took {int(slow * 1000 * rng.uniform(0.7, 1.3))}ms",
                        "Request processing exceeded 5000ms; worker pool saturated (32/32 busy)",
                    ]
                ),
            )

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if inst is not leader or when < w.onset or dep.kind != "sql":
            return None
        return Outcome(extra_ms=slow * 1000 * rng.uniform(0.6, 1.1))

    topic = assembly.background(
        inc,
        traffic,
        near=["launch_template_version", "target_group_attributes", "asg_max_size", "ssm_parameter"],
        hook=hook,
        noise_exclude=("batch_cpu",),
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["latency", "elb_5xx", "unhealthy"], w.onset, question)
    inc.title = f"{svc.name} slow: one instance out of CPU credits"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=acct.instance_arn(leader.id), category="limit", failure_mode="ec2-cpu-credits-exhausted"
        ),
        also_accept=[svc.asg_arn],
        actions=["reconfigure", "scale"],
        chain=[
            f"{leader.id} ({svc.instance_type}, standard credits) runs the scheduled job '{job}' on top of "
            "its share of requests",
            f"its CPU credit balance reaches zero and CPU is held at the {floor:.0f}% baseline",
            f"requests routed to {leader.id} queue: {svc.name} latency and 5XX rise",
        ],
    )
    return inc


def _extra_cpu(instance_type: str, base: list[float], start_fraction: float, onset_i: int) -> float:
    """The constant extra CPU that empties the credit balance right at `onset_i` (bisection)."""
    lo, hi = 0.0, 100.0
    for _ in range(40):
        mid = (lo + hi) / 2
        credits = credit_balance(instance_type, [min(100.0, b + mid) for b in base], start_fraction)
        empty = next((i for i, c in enumerate(credits) if c is not None and c <= 0.0), len(base))
        if empty > onset_i:
            lo = mid
        else:
            hi = mid
    return hi


def _flapping_health(inc: Incident, leader: Instance, onset: datetime) -> None:
    """The throttled instance sometimes misses health checks (timeouts), then recovers."""
    rng, w = inc.rng, inc.window
    svc = leader.service
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": inc.account.alb_dimension}
    unhealthy = inc.get("AWS/ApplicationELB", "UnHealthyHostCount", **tg)
    healthy = inc.get("AWS/ApplicationELB", "HealthyHostCount", **tg)
    t = onset + timedelta(minutes=rng.randrange(3, 8))
    while t < w.now - timedelta(minutes=3):
        back = t + timedelta(minutes=rng.randrange(2, 5))
        platform_events.target_health(inc, svc, leader, t, "unhealthy-timeout")
        platform_events.target_health(inc, svc, leader, back, "healthy")
        for i in range(w.index(t), min(w.index(back), w.minutes)):
            unhealthy.values[i] = 1.0
            healthy.values[i] = (healthy.values[i] or 1.0) - 1
        t = back + timedelta(minutes=rng.randrange(4, 15))
