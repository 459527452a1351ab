"""#12 RDS connection exhaustion after the web tier scaled out.

Traffic grows; target tracking scales the web tier out; every new instance opens its full connection
pool to the Aurora writer, until the writer reaches max_connections. From then on, instances that
cannot get connections fail requests with "Too many connections" (MySQL error 1040).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.scenarios import alarms as alarm_lib
from evals.scenarios import assembly, logs, platform_events
from evals.scenarios.account import DB_CLASSES, Instance, iso
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.series import ramp
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "We're seeing 'Too many connections' errors from {svc} since {t}. It scaled out right before.",
    "{svc} error rate went up at {t} while traffic was peaking. Why?",
    "Why did {product} start failing at {t}? Autoscaling added instances but it got worse.",
]
WRITER_SHARE = 1.0  # this app sends all its queries to the writer endpoint


@scenario(
    12,
    "rds-connection-exhaustion",
    "Aurora writer out of connections after the web tier scaled out",
    "Target tracking adds instances; their connection pools push the writer past max_connections.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "", history=(350, 400), after=(60, 95))
    w, acct = inc.window, inc.account
    svc, db = acct.services[0], acct.database
    # A small writer, as teams pick for a service this size (max_connections 90 or 1000).
    db.instance_class = rng.choice(["db.t4g.medium", "db.t3.medium", "db.r5.large", "db.r6g.large"])
    db.max_connections = DB_CLASSES[db.instance_class]
    traffic = Traffic.draw(inc)
    rpm = traffic.rpm[svc.name]
    target = float(rng.choice([50, 55, 60]))
    ramp_at = w.onset - timedelta(minutes=rng.randrange(5, 10))
    first = w.index(ramp_at)
    # Demand grows until the original fleet would run at about twice the target CPU.
    usual_cpu = 5 + traffic.cpu_per_request[svc.name] * rpm[first] / svc.desired
    factor, rise = target * rng.uniform(1.9, 2.6) / usual_cpu, rng.randrange(10, 20)
    for i in range(first, w.minutes):
        rpm[i] *= 1 + (factor - 1) * ramp(i - first, rise)
    policy = f"{svc.asg_name}-cpu-target-tracking"
    alarm_high = f"TargetTracking-{svc.asg_name}-AlarmHigh-{acct.ids.uuid()}"
    initial = svc.desired
    svc.max_size = max(svc.max_size, initial * 4)
    steps = _scale_out(inc, traffic, target, first, policy, alarm_high)

    # Pools sized (by the team, long ago) so that the final fleet asks for more than the writer allows.
    others = sum(s.desired * traffic.pool_size[s.name] for s in acct.services[1:]) * WRITER_SHARE
    final = svc.desired
    pool = math.ceil((db.max_connections * rng.uniform(1.2, 1.5) - others) / (final * WRITER_SHARE))
    traffic.pool_size[svc.name] = pool
    build_baseline(inc, traffic)
    desired = inc.get("AWS/AutoScaling", "GroupDesiredCapacity", AutoScalingGroupName=svc.asg_name)
    level = float(initial)
    for i in range(w.minutes):
        level = float(next((d for k, d in reversed(steps) if k <= i), initial))
        desired.values[i] = level

    conns = inc.get("AWS/RDS", "DatabaseConnections", DBInstanceIdentifier=db.writer)
    demand: list[float] = []
    for _, minute in w.grid():
        alive = [x for x in svc.alive(minute) if x.launched + timedelta(seconds=90) <= minute]
        demand.append(len(alive) * pool * WRITER_SHARE + others + 5)
    onset_i = next(i for i in range(first, w.minutes) if demand[i] >= db.max_connections)
    onset = w.at(onset_i) + timedelta(seconds=rng.randrange(0, 60))
    inc.window = w = replace(w, onset=onset)
    for i in range(w.minutes):
        # Below the limit the count wanders; at the limit it is pinned there.
        cap = db.max_connections if i >= onset_i else db.max_connections - 1
        conns.values[i] = float(min(cap, round(demand[i] + rng.gauss(0, 1.5))))
    inc.hop("writer reaches max_connections", db.instance_arn(acct, db.writer), onset, conns)

    refused = [0.0] * w.minutes
    for i in range(onset_i, w.minutes):
        refused[i] = max(0.0, 1 - db.max_connections / demand[i])
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    wait = rng.choice([5, 10, 30])  # the pool's connection timeout, in seconds
    for i in range(onset_i, w.minutes):
        t5.values[i] = (t5.values[i] or 0) + float(round(rpm[i] * refused[i] * rng.uniform(0.7, 0.9)))
        lat.values[i] = (lat.values[i] or 0.1) + refused[i] * wait * rng.uniform(0.6, 0.9)
    refresh_alb_latency(inc, traffic)
    cpu = inc.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=db.writer)
    cpu.apply(w, ramp_at, lambda k, v: min(85.0, v * (1 + 0.5 * ramp(k, rise))))
    inc.hop("web tier requests fail with 5XX", svc.tg_arn, w.same_minute(onset, rng, (2, 30)), t5)

    newest = [x for x in svc.instances if x.launched >= ramp_at]
    for i in range(onset_i, w.minutes):
        for _ in range(min(poisson(rng, rpm[i] * refused[i] * 0.01), 15)):
            when = w.moment(rng, i, onset)
            host = rng.choice([x for x in newest if x.alive(when)] or svc.alive(when))
            logs.app_line(
                inc,
                svc,
                host,
                when,
                "ERROR",
                rng.choice(
                    [
                        "SQLNonTransientConnectionException: Data source rejected establishment of connection, "
                        'message from server: "Too many connections"',
                        "(1040, 'Too many connections')",
                    ]
                ),
            )

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep.kind != "sql" or inst.service is not svc or when < onset:
            return None
        if inst not in newest or rng.random() > min(1.0, 2 * refused[w.index(when)]):
            return None
        return Outcome(
            extra_ms=rng.uniform(200, wait * 1000),
            fault=True,
            exception="SQLNonTransientConnectionException",
            message="Too many connections",
            status=500,
        )

    topic = assembly.background(
        inc, traffic, near=["db_parameter", "db_tags", "target_group_attributes", "asg_max_size"], hook=hook
    )
    spec = alarm_lib.AlarmSpec(
        alarm_high,
        inc.get("AWS/EC2", "CPUUtilization", AutoScalingGroupName=svc.asg_name),
        "Average",
        60,
        target,
        "GreaterThanThreshold",
        3,
        3,
        "missing",
        f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy}.",
    )
    alarm_lib.add_alarm(
        inc,
        spec,
        f"arn:aws:autoscaling:{acct.region}:{acct.account_id}:scalingPolicy:"
        f"{acct.ids.uuid()}:autoScalingGroupName/{svc.asg_name}:policyName/{policy}",
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "db_connections", "latency"], onset, question)
    inc.title = f"{db.writer} out of connections after {svc.asg_name} scaled out"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=db.instance_arn(acct, db.writer),
            category="limit",
            failure_mode="rds-max-connections-exhausted",
        ),
        also_accept=[db.cluster_arn, svc.asg_arn],
        actions=["scale", "reconfigure"],
        chain=[
            f"traffic to {svc.name} grew {factor:.1f}x",
            f"target tracking scaled {svc.asg_name} out from {initial} to "
            f"{' then '.join(str(d) for _, d in steps)} instances",
            f"{svc.name} connection pools ({pool} each) push {db.writer} to max_connections "
            f"({db.max_connections})",
            f"new connections are refused (1040 Too many connections); {svc.name} returns 5XX",
        ],
    )
    return inc


def _scale_out(
    inc: Incident, traffic: Traffic, target: float, first: int, policy: str, alarm: str
) -> list[tuple[int, int]]:
    """Target tracking: after 3 minutes above target, desired = ceil(current x CPU / target).

    Returns (grid minute, new desired capacity) per scale-out.
    """
    rng, w, acct = inc.rng, inc.window, inc.account
    svc = acct.services[0]
    rpm = traffic.rpm[svc.name]
    cost = traffic.cpu_per_request[svc.name]
    above, quiet_until = 0, -1
    steps: list[tuple[int, int]] = []
    for i in range(first, w.minutes):
        minute = w.at(i)
        serving = [x for x in svc.alive(minute) if x.launched + timedelta(seconds=120) <= minute]
        cpu = min(100.0, 5 + cost * rpm[i] / max(len(serving), 1))
        above = above + 1 if cpu > target else 0
        if above < 3 or i < quiet_until or svc.desired >= svc.max_size:
            continue
        wanted = min(svc.max_size, math.ceil(svc.desired * cpu / target))
        if wanted <= svc.desired:
            continue
        at = minute + timedelta(seconds=rng.randrange(40, 90))
        cause = (
            f"At {iso(at.replace(microsecond=0))} a monitor alarm {alarm} in state ALARM triggered policy "
            f"{policy} changing the desired capacity from {svc.desired} to {wanted}.  At "
            f"{iso((at + timedelta(seconds=8)).replace(microsecond=0))} an instance was started in response "
            f"to a difference between desired and running capacity, increasing the capacity from "
            f"{svc.desired} to {wanted}."
        )
        for _ in range(wanted - svc.desired):
            inst = acct.launch(svc, at + timedelta(seconds=rng.randrange(8, 15)))
            platform_events.launch_activity(inc, svc, inst, inst.launched, cause)
            platform_events.healthy_lifecycle(inc, svc, inst)
        svc.desired = wanted
        steps.append((i + 1, wanted))
        quiet_until, above = i + 5, 0
    if not steps:
        raise RuntimeError("the traffic ramp never triggered a scale-out")
    return steps
