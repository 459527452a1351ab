"""#1 Aurora MySQL version bug: aborted connections under a traffic spike put the app tier at 100% CPU,
ELB health checks fail, and the ASG terminates and relaunches instances in a loop.

Observability gaps, as in the real incident: only the Aurora error log is exported, and the instances
ship no logs at all.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, cloudtrail, logs, platform_events
from evals.scenarios.account import Instance
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency, refresh_asg_cpu
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.series import ramp
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "Why did the ASG keep replacing instances since {t}?",
    "{svc} instances keep getting terminated and relaunched since {t}, what is going on?",
    "We are getting 502s and 503s from the load balancer since {t}. The autoscaling group is cycling instances.",
]


@dataclass
class Cycle:
    """One instance's life during the incident."""

    inst: Instance
    healthy: datetime | None  # when it passed health checks (None: it never did)
    busy: datetime  # when its CPU saturated
    unhealthy: datetime


@scenario(
    1,
    "aurora-asg-loop",
    "Aurora MySQL bug sends the ASG into a terminate/launch loop",
    "Aborted DB connections under a traffic spike peg app CPU; ELB health checks fail; the ASG cycles.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "", after=(55, 95))
    w, acct = inc.window, inc.account
    svc, db = acct.services[0], acct.database
    svc.health_check_type = "ELB"  # the loop needs the ASG to act on ELB health
    inc.instance_logs = False
    acct.db_log_exports = ["error"]
    inc.title = f"{svc.asg_name} instances replaced in a loop"

    traffic = Traffic.draw(inc)
    spike_start = w.onset - timedelta(seconds=rng.randrange(60, 300))
    base = traffic.rpm[svc.name]
    first = w.index(spike_start)
    # A spike the fleet can carry on its own (CPU stays under ~75%); the DB bug is what tips it over.
    usual_cpu = 5 + traffic.cpu_per_request[svc.name] * base[first] / svc.desired
    factor = min(rng.uniform(1.7, 2.6), rng.uniform(60, 75) / usual_cpu)
    rise = rng.randrange(3, 8)
    for i in range(first, w.minutes):
        base[i] *= 1 + (factor - 1) * ramp(i - first, rise)

    # The failure signature along the dependency path, each hop after a realistic delay.
    db_at = w.onset
    app_at = db_at + timedelta(seconds=rng.randrange(40, 150))
    hc_at = app_at + timedelta(seconds=rng.randrange(60, 120))  # 2 failed checks, 30 s apart, 5 s timeout
    cycles = _loop(inc, hc_at)
    build_baseline(inc, traffic)

    writer_arn = db.instance_arn(acct, db.writer)
    aborted = inc.get("AWS/RDS", "AbortedClients", DBInstanceIdentifier=db.writer)
    level = rng.uniform(25, 160)
    aborted.apply(w, db_at, lambda k, v: v + float(poisson(rng, level * (0.6 + 0.4 * ramp(k, 3)))))
    inc.hop("Aurora writer aborts client connections", writer_arn, db_at, aborted)
    conns = inc.get("AWS/RDS", "DatabaseConnections", DBInstanceIdentifier=db.writer)
    conns.apply(w, db_at, lambda k, v: max(5.0, v * rng.uniform(0.5, 1.6)))
    inc.get("AWS/RDS", "CPUUtilization", DBInstanceIdentifier=db.writer).apply(
        w, db_at, lambda k, v: min(75.0, v * rng.uniform(1.2, 1.5))
    )
    _app_effects(inc, traffic, cycles, app_at)
    inc.hop(
        "app instances at 100% CPU",
        svc.asg_arn,
        app_at,
        inc.get("AWS/EC2", "CPUUtilization", InstanceId=cycles[0].inst.id),
    )
    inc.hop(
        "ELB health checks fail",
        svc.tg_arn,
        hc_at,
        inc.get(
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            TargetGroup=svc.tg_dimension,
            LoadBalancer=acct.alb_dimension,
        ),
    )
    first_term = min(c.inst.terminated for c in cycles if c.inst.terminated is not None)
    inc.hop("ASG terminates and replaces instances", svc.asg_arn, first_term)
    _db_log(inc, cycles, db_at)

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if dep.kind != "sql" or when < db_at or rng.random() > 0.35:
            return None
        return Outcome(
            extra_ms=rng.uniform(500, 5000),
            fault=True,
            exception="CommunicationsException",
            message="Communications link failure: The last packet successfully received from the "
            "server was 0 milliseconds ago.",
            status=502,
        )

    topic = assembly.background(
        inc,
        traffic,
        near=["db_parameter", "db_tags", "launch_template_version", "target_group_attributes"],
        hook=hook,
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(t=assembly.local_time(inc, w.onset), svc=svc.name)
    assembly.pick_trigger(inc, alarms, ["unhealthy", "elb_5xx"], w.onset, question)
    inc.truth = Truth(
        root_cause=RootCause(
            resource=db.cluster_arn,
            category="dependency_failure",
            failure_mode="aurora-mysql-version-bug-aborted-connections",
        ),
        also_accept=[writer_arn],
        actions=["upgrade", "reconfigure"],
        chain=[
            f"traffic spike on {acct.alb_name}",
            f"Aurora MySQL {db.engine_version} on {db.cluster_id} aborts client connections under load",
            f"{svc.asg_name} instances reach 100% CPU reconnecting",
            f"ELB health checks on {svc.tg_name} time out",
            f"{svc.asg_name} terminates and relaunches instances in a loop",
        ],
    )
    return inc


def _loop(inc: Incident, hc_at: datetime) -> list[Cycle]:
    """Instance lifecycles: fail health checks, get replaced, come up, saturate, fail again."""
    rng, w, acct = inc.rng, inc.window, inc.account
    svc = acct.services[0]
    cycles: list[Cycle] = []
    queue: list[tuple[Instance, datetime | None, datetime]] = [
        (inst, None, hc_at + timedelta(seconds=rng.randrange(0, 90))) for inst in svc.alive(hc_at)
    ]
    actor = cloudtrail.autoscaling_actor(inc)
    while queue:
        inst, healthy, unhealthy = queue.pop(0)
        busy = (
            healthy + timedelta(seconds=rng.randrange(20, 120))
            if healthy
            else unhealthy - timedelta(seconds=90)
        )
        cycles.append(Cycle(inst, healthy, busy, unhealthy))
        # ELB health check type: the ASG replaces the instance within a minute of it turning unhealthy.
        term = unhealthy + timedelta(seconds=rng.randrange(10, 50))
        if term >= w.now:
            continue
        inst.terminated = term + timedelta(seconds=rng.randrange(30, 90))
        platform_events.terminate_activity(inc, svc, inst, term, platform_events.UNHEALTHY_CAUSE)
        platform_events.target_health(inc, svc, inst, term, "draining")
        cloudtrail.record(
            inc,
            actor,
            term + timedelta(seconds=2),
            "ec2.amazonaws.com",
            "TerminateInstances",
            {"instancesSet": {"items": [{"instanceId": inst.id}]}},
            {
                "requestId": acct.ids.uuid(),
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
        launch = term + timedelta(seconds=rng.randrange(5, 40))
        if launch >= w.now:
            continue
        new = acct.launch(svc, launch)
        platform_events.launch_activity(inc, svc, new, launch, platform_events.REPLACE_CAUSE)
        cloudtrail.record(
            inc,
            actor,
            launch + timedelta(seconds=1),
            "ec2.amazonaws.com",
            "RunInstances",
            {
                "instancesSet": {"items": [{"minCount": 1, "maxCount": 1}]},
                "launchTemplate": {
                    "launchTemplateId": svc.launch_template_id,
                    "version": str(svc.launch_template_version),
                },
                "subnetId": new.subnet["SubnetId"],
            },
            {
                "requestId": acct.ids.uuid(),
                "instancesSet": {
                    "items": [
                        {
                            "instanceId": new.id,
                            "instanceType": new.instance_type,
                            "currentState": {"code": 0, "name": "pending"},
                            "placement": {"availabilityZone": new.az},
                        }
                    ]
                },
            },
        )
        healthy_at = platform_events.healthy_lifecycle(inc, svc, new)
        fails = healthy_at + timedelta(seconds=rng.randrange(120, 420))
        platform_events.target_health(
            inc, svc, new, fails, rng.choice(["unhealthy-timeout", "unhealthy-failed"])
        )
        queue.append((new, healthy_at, fails))
    for c in cycles:
        if c.healthy is None:
            platform_events.target_health(inc, svc, c.inst, c.unhealthy, "unhealthy-timeout")
    return cycles


def _app_effects(inc: Incident, traffic: Traffic, cycles: list[Cycle], app_at: datetime) -> None:
    rng, w, acct = inc.rng, inc.window, inc.account
    svc = acct.services[0]
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    for c in cycles:
        cpu = inc.get("AWS/EC2", "CPUUtilization", InstanceId=c.inst.id)
        start = max(app_at, c.busy) if c.healthy is None else c.busy
        cpu.apply(w, start, lambda k, v: max(v, min(100.0, 92 + 8 * ramp(k, 2) - abs(rng.gauss(0, 1.5)))))
        if c.healthy is not None:  # booting: JIT warm-up and cache fill
            cpu.apply(w, c.inst.launched, lambda k, v: max(v, rng.uniform(45, 80)), c.healthy)
    healthy_counts: list[float | None] = []
    unhealthy_counts: list[float | None] = []
    for _, minute in w.grid():
        probe = minute + timedelta(seconds=30)
        up = down = 0
        for inst in svc.instances:
            if not inst.alive(probe):
                continue
            cycle = next((c for c in cycles if c.inst is inst), None)
            if cycle is None:
                up += 1
            elif cycle.unhealthy <= probe:
                down += 1
            elif cycle.healthy is None or cycle.healthy <= probe:
                up += 1
        healthy_counts.append(float(up))
        unhealthy_counts.append(float(down))
    inc.get("AWS/ApplicationELB", "HealthyHostCount", **tg).values = healthy_counts
    inc.get("AWS/ApplicationELB", "UnHealthyHostCount", **tg).values = unhealthy_counts
    rpm = traffic.rpm[svc.name]
    elb5 = inc.get("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", LoadBalancer=acct.alb_dimension)
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    first = w.index(app_at)
    for i in range(first, w.minutes):
        healthy, unhealthy = healthy_counts[i] or 0.0, unhealthy_counts[i] or 0.0
        if healthy == 0:
            # No healthy target: ALB fails open to all registered targets, or answers 503 if none.
            elb5.values[i] = (elb5.values[i] or 0) + rpm[i] * rng.uniform(0.5, 0.9)
        else:
            elb5.values[i] = (elb5.values[i] or 0) + rpm[i] * rng.uniform(0.05, 0.25) * (
                unhealthy / (healthy + unhealthy)
            )
        t5.values[i] = (t5.values[i] or 0) + rpm[i] * rng.uniform(0.05, 0.2)
        lat.values[i] = (lat.values[i] or 0.1) * rng.uniform(8, 30)
    refresh_alb_latency(inc, traffic)
    refresh_asg_cpu(inc)


def _db_log(inc: Incident, cycles: list[Cycle], db_at: datetime) -> None:
    """A burst of "Aborted connection" notes in the writer's error log, from the app tier's hosts."""
    rng, w = inc.rng, inc.window
    db = inc.account.database
    group = f"/aws/rds/cluster/{db.cluster_id}/error"
    t = db_at
    while t < w.now:
        hosts = [c.inst.private_ip for c in cycles if c.inst.alive(t)] or [cycles[0].inst.private_ip]
        inc.log(group, db.writer, t, logs.aborted_connection(inc, t, rng.choice(hosts)))
        t += timedelta(milliseconds=rng.randrange(200, 4000))
