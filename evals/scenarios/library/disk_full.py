"""#17 One instance's root volume filled up.

Log rotation silently stopped on one instance of the web tier, so its application log grew for
hours. When the volume is full, every request on that instance that writes (sessions, temp files,
logs) fails with ENOSPC; the health check only reads, so the instance stays in service.
"""

from __future__ import annotations

import random
from datetime import datetime

from evals.bundle.model import RootCause, Truth
from evals.scenarios import assembly, logs
from evals.scenarios.account import Instance
from evals.scenarios.baseline import Traffic, build_baseline, poisson
from evals.scenarios.incident import Incident
from evals.scenarios.registry import scenario
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "About one in {n} requests to {svc} fails since {t}. Any idea?",
    "{svc} 5XX errors since {t}, only some of them. Is one box bad?",
    "Intermittent 500s on {product} since {t}.",
]


@scenario(
    17,
    "disk-full",
    "One instance's disk is full",
    "A web instance's root volume fills up (log rotation stopped); its requests fail with ENOSPC.",
)
def generate(rng: random.Random) -> Incident:
    inc = assembly.new_incident(rng, "")
    w, acct = inc.window, inc.account
    svc = acct.services[0]
    svc.health_check_type = rng.choice(["EC2", "ELB"])  # the health check passes either way
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    victim = rng.choice(svc.alive(w.start))
    inc.protected.add(victim.id)
    disk = next(s for s in inc.find("CWAgent", "disk_used_percent", InstanceId=victim.id))
    onset_i = w.index(w.onset)
    start = disk.values[0] or 50.0
    # Fills faster at busy hours (more requests, more log lines): follow the cumulative traffic.
    rpm = traffic.rpm[svc.name]
    total = sum(rpm[: onset_i + 1]) or 1.0
    so_far = 0.0
    for i in range(w.minutes):
        so_far += rpm[i]
        disk.values[i] = min(100.0, start + (100.0 - start) * so_far / total)
    inc.hop("root volume reaches 100%", acct.instance_arn(victim.id), w.onset, disk)

    n = len(svc.alive(w.onset))
    tg = {"TargetGroup": svc.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    failing = rng.uniform(0.5, 0.9)  # requests on the full instance that need to write
    for i in range(onset_i, w.minutes):
        t5.values[i] = (t5.values[i] or 0) + float(round(rpm[i] / n * failing * rng.uniform(0.9, 1.1)))
    inc.hop(f"{svc.name} 5XX from one target", svc.tg_arn, w.same_minute(w.onset, rng, (5, 40)), t5)
    path = rng.choice(["/var/log/app/application.log", "/opt/app/logs/app.log", "/var/log/app/debug.log"])
    for i in range(onset_i, w.minutes):
        for _ in range(min(poisson(rng, rpm[i] / n * failing * 0.01), 12)):
            when = w.moment(rng, i, w.onset)
            logs.app_line(
                inc,
                svc,
                victim,
                when,
                "ERROR",
                rng.choice(
                    [
                        "OSError: [Errno 28] No space left on device: '/tmp/session-" + acct.ids.hex(8) + "'",
                        f"java.io.IOException: No space left on device (writing {path})",
                    ]
                ),
            )

    def hook(when: datetime, inst: Instance, dep: Dependency) -> Outcome | None:
        if inst is not victim or when < w.onset or dep.kind != "sql" or rng.random() > failing:
            return None
        # The failure is local: the request dies after its query, writing its result to disk.
        return Outcome(
            fault=True, exception="OSError", message="[Errno 28] No space left on device", status=500
        )

    topic = assembly.background(
        inc,
        traffic,
        near=[
            "launch_template_version",
            "target_group_attributes",
            "app_sg_monitoring_port",
            "ssm_parameter",
        ],
        hook=hook,
        noise_exclude=("batch_cpu",),
    )
    alarms = assembly.standard_alarms(inc, topic)
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=svc.name, product=acct.product, n=n
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "elb_5xx"], w.onset, question)
    inc.title = f"{svc.name}: one instance out of disk space"
    inc.truth = Truth(
        root_cause=RootCause(
            resource=acct.instance_arn(victim.id), category="component_failure", failure_mode="ec2-disk-full"
        ),
        also_accept=[],
        actions=["exclude", "reconfigure"],
        chain=[
            f"log rotation stopped on {victim.id}; {path} grows for hours",
            f"the root volume of {victim.id} reaches 100%",
            f"requests served by {victim.id} fail with ENOSPC; {svc.name} returns 5XX for about 1 in {n}",
        ],
    )
    return inc
