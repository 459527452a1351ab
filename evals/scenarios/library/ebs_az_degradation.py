"""#16 An AWS Health event: EBS degraded in one Availability Zone.

EBS in one AZ starts to stall I/O on some volumes. Instances whose root volumes are affected block
on disk (logging, temp files, page cache flushes): their requests hang, the load balancer's health
checks time out and the targets flap, and the attached-EBS status check fails; the instance and
system checks stay green, so Auto Scaling (EC2 health checks) replaces nothing. AWS posts a Health
event for the AZ a quarter of an hour or more after the impact starts. Nothing in the account
changed, and instances in the other AZs are fine.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, logs, platform_events
from evals.scenarios.account import AZ_IDS, Instance, iso
from evals.scenarios.baseline import Traffic, build_baseline, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library._instance_storage import (
    STALLED,
    StorageIncident,
    VolumeSpec,
    attached_ebs_checks,
    demand_from_traffic,
    draw_key,
    io_metrics,
    new_incident,
    volume_arn,
)
from evals.scenarios.registry import scenario
from evals.scenarios.series import Series

QUESTIONS = [
    "{svc} is timing out for some users since {t}. We didn't deploy anything. What's wrong?",
    "Why are {svc} targets going unhealthy since {t}? It is only some of the instances.",
    "Latency spikes and 5XX on {product} since {t}, on and off.",
]
KERNEL = [
    "kernel: nvme nvme0: I/O {n} QID {q} timeout, aborting",
    "kernel: INFO: task {task}:{pid} blocked for more than 120 seconds.",
    "kernel: nvme nvme0: Abort status: 0x0",
    "kernel: xfs: xfs_log_force: error -5 returned.",
]


@scenario(
    16,
    "ebs-az-degradation",
    "AWS Health event: EBS degraded in one Availability Zone",
    "EBS stalls I/O for volumes in one AZ; instances there hang and flap unhealthy; AWS Health posts late.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    svc.health_check_type = "EC2"
    az = rng.choice(acct.azs)
    az_id = f"{AZ_IDS[acct.region]}-az{'abc'.index(az[-1]) + 1}"
    draw_key(inc)
    for s in acct.services:
        inc.volume_specs[s.name] = VolumeSpec("gp3", rng.choice([20, 30, 50]), 3000, 125)
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    onset_i = w.index(w.onset)

    in_az = [i for i in acct.instances() if i.az == az and i.alive(w.onset)]
    affected = [i for i in in_az if rng.random() < 0.8]
    if not any(i.service is svc for i in affected):
        # The web tier always has an instance in every AZ; the incident is about it.
        affected.append(rng.choice([i for i in in_az if i.service is svc and i not in affected]))
    stalls = {inst.id: _stall_pattern(inc, onset_i) for inst in affected}
    impaired: dict[str, list[bool]] = {}
    first_stall = min(w.at(next(k for k, v in enumerate(s) if v >= STALLED)) for s in stalls.values())
    for inst in acct.instances():
        if inst.terminated is not None and inst.terminated <= w.start:
            continue
        demand = demand_from_traffic(
            inc, traffic, inst, iops_per_rpm=rng.uniform(0.03, 0.08), kib_per_op=16, reads=0.3
        )
        slow = stalls.get(inst.id)
        io_metrics(
            inc,
            inst,
            demand,
            inc.volume_specs[inst.service.name],
            latency_ms=rng.uniform(0.5, 1.2),
            outstanding=rng.choice([16, 32]),
            slow=slow,
        )
        if slow is not None:
            impaired[inst.id] = [v >= STALLED for v in slow]
            inc.hop(f"I/O on {inst.volume_id} stalls", volume_arn(inc, inst.volume_id), first_stall, None)
    inc.hops.sort(key=lambda h: h.at)
    attached_ebs_checks(inc, impaired)
    for inst in affected:
        bad = impaired[inst.id]
        if bad[-1]:
            since = w.at(max(k for k in range(w.minutes) if not bad[k]) + 1)
            inc.status_overrides[inst.id] = {
                "AttachedEbsStatus": {
                    "Status": "impaired",
                    "Details": [{"Name": "reachability", "Status": "failed", "ImpairedSince": iso(since)}],
                }
            }

    web = [i for i in affected if i.service is svc]
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    elb5 = inc.get("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", LoadBalancer=acct.alb_dimension)
    rpm = traffic.rpm[svc.name]
    for i in range(onset_i, w.minutes):
        alive = svc.alive(w.at(i))
        hung = [x for x in web if impaired[x.id][i]]
        if not hung:
            continue
        frac = len(hung) / max(len(alive), 1)
        # Requests routed to a hung target wait out the client's timeout; the ALB answers 504/502.
        lat.values[i] = (lat.values[i] or 0.1) * (1 - frac) + rng.uniform(8, 30) * frac
        elb5.values[i] = (elb5.values[i] or 0) + float(round(rpm[i] * frac * rng.uniform(0.3, 0.7)))
    refresh_alb_latency(inc, traffic)
    if web:
        inc.hop(f"{svc.name} requests on the stalled instances hang", svc.tg_arn, first_stall, lat)
        _flapping_health(inc, web, impaired)

    group = rng.choice(["/var/log/messages", f"/ec2/{acct.env}/syslog", "/aws/ec2/system"])
    acct.extra_log_groups.append(group)
    for inst in acct.instances():
        if not inst.alive(w.now):
            continue
        _syslog_background(inc, group, inst)
    for inst in affected:
        bad = impaired[inst.id]
        for i in range(onset_i, w.minutes):
            if not bad[i]:
                continue
            for _ in range(rng.randrange(1, 4)):
                when = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
                line = rng.choice(KERNEL).format(
                    n=rng.randrange(100, 1000),
                    q=rng.randrange(1, 5),
                    task=rng.choice(["java", "python3", "xfsaild/nvme0n1", "jbd2/nvme0n1p1"]),
                    pid=rng.randrange(300, 30000),
                )
                inc.log(
                    group,
                    inst.id,
                    when,
                    f"{when:%b %d %H:%M:%S} ip-{inst.private_ip.replace('.', '-')} {line}",
                )
            if inst.service is svc and inc.instance_logs and rng.random() < 0.6:
                when = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
                took = rng.randrange(5000, 60000)
                logs.app_line(inc, svc, inst, when, "WARN", f"Slow request: GET /api/items took {took}ms")

    topic = assembly.background(
        inc,
        traffic,
        near=["launch_template_version", "target_group_attributes", "app_sg_monitoring_port", "asg_max_size"],
    )
    _stretch_traces(inc, affected, impaired)
    posted = first_stall + timedelta(minutes=rng.randrange(12, 35))
    arn = _health_event(inc, az, az_id, w.onset - timedelta(minutes=rng.randrange(0, 3)), posted, affected)
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["unhealthy", "latency", "elb_5xx"], w.onset, question)
    inc.title = f"EBS degraded in {az}: {svc.name} instances there hang"
    inc.truth = Truth(
        root_cause=RootCause(resource=az, category="system_change", failure_mode="aws-health-az-degradation"),
        also_accept=[volume_arn(inc, i.volume_id) for i in affected],
        actions=["exclude", "scale"],
        chain=[
            f"AWS Health {arn.rsplit('/', 1)[1]}: EBS I/O degraded in {az} ({az_id})",
            f"root volumes of {', '.join(i.id for i in affected)} stall (attached-EBS status check fails)",
            f"{svc.name} requests routed there hang; targets flap unhealthy; the ALB returns 5XX",
        ],
    )
    return inc


def _stall_pattern(inc: Incident, onset_i: int) -> list[float]:
    """Latency multiplier per minute: stalls in bursts of minutes, with brief recoveries."""
    rng, w = inc.rng, inc.window
    out = [1.0] * w.minutes
    i = onset_i + rng.randrange(0, 3)
    while i < w.minutes:
        length = rng.randrange(4, 15)
        for k in range(i, min(i + length, w.minutes)):
            out[k] = rng.uniform(150, 2000)
        i += length
        gap = rng.randrange(1, 4)
        for k in range(i, min(i + gap, w.minutes)):
            out[k] = rng.uniform(3, 20)  # degraded, not stalled
        i += gap
    return out


def _flapping_health(inc: StorageIncident, hung: list[Instance], impaired: dict[str, list[bool]]) -> None:
    """Targets go unhealthy after two failed checks (30 s apart) and back after five good ones."""
    rng, w = inc.rng, inc.window
    svc = hung[0].service
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": inc.account.alb_dimension}
    unhealthy = inc.get("AWS/ApplicationELB", "UnHealthyHostCount", **tg)
    healthy = inc.get("AWS/ApplicationELB", "HealthyHostCount", **tg)
    for inst in hung:
        bad = impaired[inst.id]
        state = True
        down_since: int | None = None
        for i in range(w.minutes):
            if state and bad[i]:
                state, down_since = False, i + 1
                platform_events.target_health(
                    inc, svc, inst, w.at(i) + timedelta(seconds=rng.randrange(60, 90)), "unhealthy-timeout"
                )
            elif not state and not bad[i] and i + 2 < w.minutes and not any(bad[i : i + 3]):
                state = True
                back = w.at(i) + timedelta(seconds=rng.randrange(150, 175))
                platform_events.target_health(inc, svc, inst, back, "healthy")
                _count_down(unhealthy, healthy, down_since or i, i + 3)
                down_since = None
        if down_since is not None:
            _count_down(unhealthy, healthy, down_since, w.minutes)


def _count_down(unhealthy: Series, healthy: Series, start: int, end: int) -> None:
    for k in range(start, min(end, len(unhealthy.values))):
        unhealthy.values[k] = (unhealthy.values[k] or 0.0) + 1
        healthy.values[k] = max(0.0, (healthy.values[k] or 1.0) - 1)


def _syslog_background(inc: Incident, group: str, inst: Instance) -> None:
    """The ordinary system log: agent check-ins and timers, a few lines an hour."""
    rng, w = inc.rng, inc.window
    host = f"ip-{inst.private_ip.replace('.', '-')}"
    t = max(w.start, inst.launched) + timedelta(seconds=rng.randrange(30, 600))
    while t < w.now:
        line = rng.choice(
            [
                "systemd[1]: Started Session of user ec2-user.",
                "amazon-ssm-agent[1841]: INFO [HealthCheck] HealthCheck reporting agent health.",
                "chronyd[812]: Selected source 169.254.169.123",
                "systemd[1]: Starting Cleanup of Temporary Directories...",
                "dhclient[1020]: XMT: Solicit on eth0, interval 117610ms.",
            ]
        )
        inc.log(group, inst.id, t, f"{t:%b %d %H:%M:%S} {host} {line}")
        t += timedelta(minutes=rng.randrange(4, 25), seconds=rng.randrange(60))


def _stretch_traces(inc: Incident, affected: list[Instance], impaired: dict[str, list[bool]]) -> None:
    """Requests on a stalled instance spend their time blocked in the process itself (no subsegment)."""
    rng, w = inc.rng, inc.window
    ids = {i.id for i in affected}
    for t in inc.traces:
        iid = t["aws"]["ec2"]["instance_id"]
        if iid not in ids:
            continue
        i = w.index(datetime.fromtimestamp(t["start_time"], UTC))
        if i < w.minutes and impaired[iid][i]:
            t["end_time"] = round(t["end_time"] + rng.uniform(5, 30), 6)
            if rng.random() < 0.4:
                t["fault"] = True
                t["http"]["response"]["status"] = 500
                t["cause"] = {
                    "working_directory": "/app",
                    "exceptions": [
                        {
                            "id": inc.account.ids.segment_id(),
                            "type": "TimeoutException",
                            "message": "request processing exceeded its deadline",
                        }
                    ],
                }


def _health_event(
    inc: StorageIncident, az: str, az_id: str, start: datetime, posted: datetime, affected: list[Instance]
) -> str:
    acct, rng = inc.account, inc.rng
    code = "AWS_EBS_OPERATIONAL_ISSUE"
    arn = f"arn:aws:health:{acct.region}::event/EBS/{code}/{code}_{acct.ids.upper(5)}_{acct.ids.hex(12).upper()}"
    specific = rng.random() < 0.5
    description = (
        f"We are investigating increased I/O latency and stuck I/O for some EBS volumes in a single "
        f"Availability Zone ({az_id.upper()}) in the {acct.region.upper()} Region. Instances with affected "
        "volumes may experience degraded performance or impaired attached EBS status checks. Volumes in "
        "other Availability Zones are not affected."
    )
    item = {
        "event": {
            "arn": arn,
            "service": "EBS",
            "eventTypeCode": code,
            "eventTypeCategory": "issue",
            "region": acct.region,
            "availabilityZone": az,
            "startTime": iso(start.replace(microsecond=0)),
            "lastUpdatedTime": iso(posted.replace(microsecond=0)),
            "statusCode": "open",
            "eventScopeCode": "ACCOUNT_SPECIFIC" if specific else "PUBLIC",
        },
        "description": description,
        "affected_entities": [
            {
                "entityArn": f"arn:aws:health:{acct.region}:{acct.account_id}:entity/{acct.ids.hex(20)}",
                "eventArn": arn,
                "entityValue": inst.volume_id,
                "awsAccountId": acct.account_id,
                "lastUpdatedTime": iso(posted.replace(microsecond=0)),
                "statusCode": "IMPAIRED",
            }
            for inst in (affected if specific else [])
        ],
    }
    inc.event(posted, "health", item)
    return arn
