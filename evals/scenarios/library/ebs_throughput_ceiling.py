"""#3 Slow after a migration: the new gp3 volume's throughput ceiling.

A single-instance tier (reports, exports: large sequential reads and writes on its local volume) was
moved to a new instance the day before. Its old gp2 volume of the same size had a 250 MiB/s
throughput limit; the new gp3 volume got gp3's defaults, 3000 IOPS and 125 MiB/s. Overnight the load
stays under that; when the morning traffic pushes the tier's I/O past 125 MiB/s, EBS delivers exactly
the ceiling, the I/O queue fills, per-operation latency climbs, and the tier's requests slow down and
start to time out. Nothing fails and nothing changed in the window.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.scenarios import alarms as alarm_lib
from evals.scenarios import assembly, logs
from evals.scenarios.alarms import AlarmSpec
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library._instance_storage import (
    IoDemand,
    VolumeSpec,
    demand_from_traffic,
    draw_key,
    io_metrics,
    new_incident,
    volume_arn,
)
from evals.scenarios.registry import scenario
from evals.scenarios.series import daily_curve, noisy

QUESTIONS = [
    "{svc} has been really slow since {t}. We moved it to the new instance yesterday and it was fine "
    "overnight.",
    "Since the migration {svc} exports crawl, worst since {t}. CPU looks fine. What is going on?",
    "Why is {svc} so slow since {t}? It's on a bigger instance now than before the move.",
]
ROUTES = ["GET /{svc}/export", "POST /{svc}/generate", "GET /{svc}/download", "GET /{svc}/summary"]


@scenario(
    3,
    "ebs-throughput-ceiling",
    "Slow after migration: the new gp3 volume's throughput ceiling",
    "A migrated I/O-heavy instance outgrows gp3's default 125 MiB/s at the morning peak; its I/O queues.",
)
def generate(rng: random.Random) -> Incident:
    # The onset is the morning ramp, when the daily traffic rises through the ceiling.
    inc = new_incident(rng, "", local_hours=(9, 12), history=(375, 430), after=(80, 120))
    w, acct = inc.window, inc.account
    tier = acct.services[-1]
    # One stateful instance, replaced by the migration a day or so before the window.
    tier.instances = tier.instances[:1]
    tier.desired = tier.min_size = tier.max_size = 1
    host = tier.instances[0]
    host.launched = w.start - timedelta(hours=rng.randrange(14, 40), minutes=rng.randrange(60))
    inc.protected.add(host.id)
    draw_key(inc)
    size = rng.choice([200, 250, 300, 400, 500, 750])
    inc.volume_specs[tier.name] = VolumeSpec("gp3", size, 3000, 125)
    web_size = rng.choice([20, 30, 50])
    for svc in acct.services[:-1]:
        inc.volume_specs[svc.name] = VolumeSpec("gp3", web_size, 3000, 125)
    traffic = Traffic.draw(inc)
    # People pull reports in the early afternoon: the tier's own daily curve peaks then, so its
    # load is still climbing through the morning.
    amplitude = rng.uniform(0.4, 0.6)
    shape = daily_curve(w, peak_hour=w.local_hour(w.onset) + rng.uniform(2.5, 4.5), amplitude=amplitude)
    typical = max(traffic.rpm[tier.name]) / (1 + amplitude)
    traffic.rpm[tier.name] = [v or 0.0 for v in noisy(rng, shape, scale=typical, noise=0.05)]
    build_baseline(inc, traffic)

    kib = rng.choice([128, 256, 512])
    reads = rng.uniform(0.55, 0.8)
    onset_i = w.index(w.onset)
    # Report jobs run for minutes, so the tier's I/O follows its traffic smoothed over a quarter hour.
    rpm = traffic.rpm[tier.name]
    smooth = [sum(rpm[max(0, i - 7) : i + 8]) / len(rpm[max(0, i - 7) : i + 8]) for i in range(w.minutes)]
    total = [v * (1 + rng.gauss(0, 0.012)) for v in smooth]
    # Scaled so that the overnight and early-morning load stays under the ceiling: the first minute
    # above it, on the morning ramp, is the onset.
    factor = 125 / max(total[:onset_i]) * rng.uniform(0.985, 0.998)
    total = [v * factor for v in total]
    first = next(i for i, v in enumerate(total) if v > 125)
    # Once requests queue, clients retry and backlogs build: the load no longer dips under the ceiling.
    total = [v if i < first else max(v, 126.0) for i, v in enumerate(total)]
    mib = kib / 1024
    demand = IoDemand(
        [v * reads / mib for v in total],
        [v * (1 - reads) / mib for v in total],
        [v * reads for v in total],
        [v * (1 - reads) for v in total],
    )
    onset = w.at(first) + timedelta(seconds=rng.randrange(0, 60))
    inc.window = w = type(w)(start=w.start, onset=onset, now=w.now, utc_offset_hours=w.utc_offset_hours)
    onset_i = first
    latency_ms = rng.uniform(0.6, 1.4)
    outstanding = rng.choice([32, 64])
    ebs = io_metrics(
        inc, host, demand, inc.volume_specs[tier.name], latency_ms=latency_ms, outstanding=outstanding
    )
    for svc in acct.services[:-1]:
        for inst in svc.instances:
            if inst.terminated is None or inst.terminated > w.start:
                light = demand_from_traffic(
                    inc, traffic, inst, iops_per_rpm=rng.uniform(0.02, 0.06), kib_per_op=16, reads=0.2
                )
                io_metrics(inc, inst, light, inc.volume_specs[svc.name], latency_ms=rng.uniform(0.5, 1.2))
    inc.hop(
        "volume throughput reaches gp3's 125 MiB/s",
        volume_arn(inc, host.volume_id),
        onset,
        ebs["VolumeThroughputExceededCheck"],
    )
    inc.hop("I/O queue fills", volume_arn(inc, host.volume_id), onset, ebs["VolumeQueueLength"])

    # Each request reads or writes `req_mib` in `ops` sequential I/Os; above the ceiling each I/O
    # waits for the queue ahead of it (queue / delivered IOPS).
    req_mib = rng.uniform(10, 25)
    ops = req_mib / mib
    queue = ebs["VolumeQueueLength"].values
    reads_per_min = ebs["VolumeReadOps"].values
    writes_per_min = ebs["VolumeWriteOps"].values
    extra: list[float] = []
    for i in range(w.minutes):
        delivered = ((reads_per_min[i] or 0) + (writes_per_min[i] or 0)) / 60
        wait = (queue[i] or 0) / max(delivered, 1.0)
        extra.append(max(0.0, ops * (wait - latency_ms / 1000)) if i >= onset_i else 0.0)
    tg = {"TargetGroup": tier.tg_dimension, "LoadBalancer": acct.alb_dimension}
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    cpu = inc.get("AWS/EC2", "CPUUtilization", InstanceId=host.id)
    timeout_s = rng.choice([30, 60])
    for i in range(onset_i, w.minutes):
        lat.values[i] = (lat.values[i] or 0.1) + extra[i] * rng.uniform(0.9, 1.1)
        late = min(0.6, max(0.0, (extra[i] - timeout_s / 3) / timeout_s))
        t5.values[i] = (t5.values[i] or 0) + float(round(rpm[i] * late))
        # Threads blocked on I/O do not burn CPU.
        cpu.values[i] = (cpu.values[i] or 5.0) * rng.uniform(0.75, 0.9)
    refresh_alb_latency(inc, traffic)
    inc.hop(f"{tier.name} requests slow down", tier.tg_arn, w.same_minute(onset, rng, (5, 40)), lat)

    routes = [r.format(svc=tier.name) for r in ROUTES]
    for i in range(onset_i, w.minutes):
        for _ in range(min(poisson(rng, rpm[i] * 0.05), 6)):
            when = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
            took = extra[i] * rng.uniform(0.6, 1.4)
            if took > timeout_s:
                message = f"Request timed out after {timeout_s}s: {rng.choice(routes)}"
                level = "ERROR"
            else:
                message = f"Slow request: {rng.choice(routes)} took {int(took * 1000)}ms"
                level = "WARN"
            logs.app_line(inc, tier, host, when, level, message)

    topic = assembly.background(
        inc,
        traffic,
        near=["launch_template_version", "target_group_attributes", "asg_max_size", "ssm_parameter"],
        noise_exclude=("batch_cpu",),
    )
    # X-Ray does not instrument local disk I/O: the wait shows as the segment's own time.
    name = f"{acct.product}-{tier.name}"
    for t in inc.traces:
        i = w.index(datetime.fromtimestamp(t["start_time"], UTC))
        if t["name"] == name and i >= onset_i:
            t["end_time"] = round(t["end_time"] + extra[i] * rng.uniform(0.6, 1.3), 6)
    assembly.standard_alarms(inc, topic)
    slow_threshold = float(rng.choice([1, 1.5, 2]))
    spec = AlarmSpec(
        f"{tier.tg_name}-latency",
        lat,
        "Average",
        60,
        slow_threshold,
        "GreaterThanThreshold",
        5,
        rng.choice([3, 4]),
        "missing",
        f"{tier.name} is slow",
    )
    transitions = alarm_lib.add_alarm(inc, spec, topic)
    question = rng.choice(QUESTIONS).format(t=assembly.local_time(inc, onset), svc=tier.name)
    assembly.alarm_trigger(inc, spec, transitions, onset, question if rng.random() < 0.7 else None)
    inc.title = f"{tier.name} slow after migration: gp3 volume at its throughput ceiling"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=volume_arn(inc, host.volume_id),
            category="limit",
            failure_mode="ebs-throughput-or-iops-ceiling",
        ),
        also_accept=[acct.instance_arn(host.id)],
        actions=["scale", "reconfigure"],
        chain=[
            f"{host.id} was migrated onto a {size} GiB gp3 volume {host.volume_id} with the default "
            "3000 IOPS / 125 MiB/s (the old gp2 volume allowed 250 MiB/s)",
            f"{tier.name}'s morning load needs more than 125 MiB/s: VolumeThroughputExceededCheck is 1 and "
            f"the I/O queue holds about {outstanding} requests",
            f"each {tier.name} request waits on disk I/O: latency rises and slow requests time out",
        ],
    )
    return inc
