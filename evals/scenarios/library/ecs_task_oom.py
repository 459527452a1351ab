"""#8 ECS tasks are OOM-killed after a task-definition change.

A new task-definition revision of one ECS service either lowers the task's memory ("right-sizing")
or ships an image whose memory use is higher. The rollout completes (new tasks pass their checks
at first), then each task's memory climbs to the limit and the container is killed (exit code 137,
OutOfMemoryError). The scheduler replaces it, and the cycle repeats. The web tier's calls to the
service fail while tasks die and capacity is short.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.bundle.shapes import to_datetime
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Instance, Service
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library import _ecs
from evals.scenarios.library._extra_resources import latency_alarm, new_incident
from evals.scenarios.registry import scenario
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "{svc} has been throwing errors since {t}; it looks like calls to {ecs} fail. What happened?",
    "{ecs} tasks keep restarting since {t} and {product} is erroring. Why?",
    "Why are {svc} requests failing since {t}?",
]
OOM = "OutOfMemoryError: Container killed due to memory usage"


@scenario(
    8,
    "ecs-task-oom",
    "ECS tasks OOM-killed after a task-definition change",
    "A new revision lowers memory or raises usage; tasks climb to the limit and are killed with exit 137.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    web = acct.services[0]
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    cluster = _ecs.draw_cluster(inc, rng.randrange(2, 4))
    guilty, *others = cluster.services
    inc.protected.add(guilty.arn)

    actor = rng.choice([*cloudtrail.people(inc, 2), cloudtrail.ci_actor(inc)])
    old_memory = guilty.memory()
    lowered = rng.random() < 0.5
    image = None if lowered else f"{guilty.repo}:{acct.ids.hex(7)}"
    _, updated, revision = _ecs.deploy(
        inc, guilty, actor, w.onset, image=image, memory=old_memory // 2 if lowered else None
    )
    at = to_datetime(updated["eventTime"])
    inc.hop("new task definition deployed", guilty.arn, at)
    fill = rng.uniform(8, 22)  # minutes from start to the memory limit
    growth = (100 - 40) / fill
    done = _ecs.healthy_rollout(inc, guilty, at, revision, growth=growth)
    kills = _oom_cycle(inc, guilty, revision, growth)
    first_start = min(t.started for t in guilty.tasks if t.revision == revision and t.started)
    inc.hop("task memory climbs to the limit", guilty.arn, first_start)
    first_kill = min(kills)

    # An unrelated service ships a healthy release close by.
    neighbour = rng.choice(others)
    when = w.onset + timedelta(seconds=rng.randrange(-15 * 60, 12 * 60))
    _, n_updated, n_rev = _ecs.deploy(
        inc,
        neighbour,
        rng.choice([*cloudtrail.people(inc, 2), cloudtrail.ci_actor(inc)]),
        when,
        image=f"{neighbour.repo}:{acct.ids.hex(7)}",
    )
    _ecs.healthy_rollout(inc, neighbour, to_datetime(n_updated["eventTime"]), n_rev)
    _ecs.render(inc, cluster)
    running = inc.get(
        "ECS/ContainerInsights", "RunningTaskCount", ClusterName=cluster.name, ServiceName=guilty.name
    )
    inc.hop("tasks OOM-killed (exit code 137)", guilty.arn, first_kill, running, -1)

    short = [0.0] * w.minutes
    for i in range(w.minutes):
        when_i = w.at(i)
        live = len(guilty.running(when_i))
        died = sum(1 for k in kills if w.at(i) <= k < w.at(i + 1))
        short[i] = min(
            0.9, 0.25 * died / guilty.desired + 0.6 * max(0, guilty.desired - live) / guilty.desired
        )
    share = rng.uniform(0.3, 0.7)  # web requests that call the service
    tg = {"TargetGroup": web.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    rpm = traffic.rpm[web.name]
    for i in range(w.index(first_kill), w.minutes):
        t5.values[i] = (t5.values[i] or 0) + float(poisson(rng, rpm[i] * share * short[i]))
        lat.values[i] = (lat.values[i] or 0.1) + share * short[i] * rng.uniform(0.5, 1.5)
    refresh_alb_latency(inc, traffic)
    inc.hop("web tier calls to the service fail", web.tg_arn, w.same_minute(first_kill, rng, (1, 30)), t5)

    host = f"{guilty.name}.{rng.choice([acct.env, acct.product])}.internal"
    dep = Dependency("http", host, rng.uniform(15, 60), share)
    extra = [dep, *(Dependency("http", f"{o.name}.internal", rng.uniform(10, 40), 0.2) for o in others[:1])]

    def hook(when_: datetime, inst: Instance, d: Dependency) -> Outcome | None:
        if d is not dep or when_ < first_kill or rng.random() > short[w.index(when_)]:
            return None
        kind, message = rng.choice(
            [("ConnectException", "Connection refused"), ("SocketException", "Connection reset by peer")]
        )
        return Outcome(extra_ms=rng.uniform(5, 900), fault=True, exception=kind, message=message, status=502)

    topic = assembly.background(
        inc,
        traffic,
        near=["ssm_parameter", "launch_template_version", "target_group_attributes"],
        hook=hook,
        extra_deps=extra,
    )
    _task_logs(inc, cluster, kills)
    _web_logs(inc, web, traffic, host, share, short, first_kill)
    alarms = assembly.standard_alarms(inc, topic, replace={"latency": latency_alarm(inc, web)})
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=web.name, ecs=guilty.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "latency", "elb_5xx"], first_kill, question)
    inc.title = f"{guilty.name} tasks OOM-killed after task definition {guilty.family}:{revision}"
    what = (
        f"lowers task memory from {old_memory} to {old_memory // 2} MiB"
        if lowered
        else f"ships image {image} whose memory use grows past the {old_memory} MiB limit"
    )
    inc.truth = Truth(
        root_cause=RootCause(
            resource=guilty.arn,
            category="change",
            failure_mode="ecs-task-oom-after-task-definition-change",
            event_id=updated["eventID"],
        ),
        also_accept=[guilty.definition_arn(revision, acct)],
        actions=["rollback", "reconfigure"],
        chain=[
            f"{actor.name} registers {guilty.family}:{revision} ({what}) and deploys it to {guilty.name}",
            f"the rollout completes at {done:%H:%M}; each new task's memory climbs to its limit in ~{fill:.0f} min",
            f"containers are killed with exit code 137 ({OOM}) and replaced, over and over",
            f"{web.name}'s calls to {guilty.name} fail while tasks die: {web.name} returns 5XX",
        ],
    )
    return inc


def _oom_cycle(inc: Incident, svc: _ecs.EcsService, revision: int, growth: float) -> list[datetime]:
    """Kill each task of `revision` when its memory reaches 100%; the scheduler replaces it. Returns kill times."""
    rng, w = inc.rng, inc.window
    kills: list[datetime] = []
    queue = [t for t in svc.tasks if t.revision == revision]
    while queue:
        task = queue.pop(0)
        assert task.started is not None
        killed = task.started + timedelta(minutes=(100 - task.mem_start) / task.mem_growth)
        if killed >= w.now:
            continue
        _ecs.stop(task, killed, "EssentialContainerExited", "Essential container in task exited", 137, OOM)
        kills.append(killed)
        created = killed + timedelta(seconds=rng.randrange(10, 45))
        if created >= w.now:
            continue
        new = _ecs.launch(
            inc, svc, created, revision, mem=(rng.uniform(30, 50), growth * rng.uniform(0.85, 1.2))
        )
        _ecs.inc_event(svc, created, f"(service {svc.name}) has started 1 tasks: (task {new.id}).")
        queue.append(new)
    return kills


def _task_logs(inc: Incident, cluster: _ecs.EcsCluster, kills: list[datetime]) -> None:
    """Each task's awslogs stream: start-up, periodic work, and heap warnings as memory fills."""
    rng, w = inc.rng, inc.window
    for svc in cluster.services:
        for task in svc.tasks:
            if task.started is None or (task.stopped and task.stopped < w.start):
                continue
            stream = f"ecs/{svc.container}/{task.id}"
            first = max(task.started, w.start)
            if task.started >= w.start:
                inc.log(
                    svc.log_group,
                    stream,
                    task.started + timedelta(seconds=3),
                    f"Starting {svc.name} on port 8080",
                )
            t = first + timedelta(seconds=rng.randrange(20, 240))
            end = min(task.stopped or w.now, w.now)
            while t < end:
                pct = task.memory(t)
                if pct > 85 and task.mem_growth:
                    line = rng.choice(
                        [
                            f"WARN GC pause {rng.randrange(300, 2500)}ms; heap usage {pct:.0f}% after collection",
                            f"WARN memory pressure: rss {pct:.0f}% of container limit",
                        ]
                    )
                else:
                    line = f"INFO processed {rng.randrange(200, 4000)} requests in the last minute"
                inc.log(svc.log_group, stream, t, line)
                t += timedelta(seconds=rng.randrange(40, 120))


def _web_logs(
    inc: Incident,
    svc: Service,
    traffic: Traffic,
    host: str,
    share: float,
    short: list[float],
    first_kill: datetime,
) -> None:
    rng, w = inc.rng, inc.window
    for i in range(w.index(first_kill), w.minutes):
        alive = svc.alive(w.at(i))
        for _ in range(min(poisson(rng, traffic.rpm[svc.name][i] * share * short[i] * 0.05), 10)):
            t = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
            message = rng.choice(
                [
                    f"Call to http://{host}:8080/ failed: Connection refused",
                    f"Call to http://{host}:8080/ failed: Connection reset by peer",
                    f"Upstream {host} returned 503 Service Unavailable",
                ]
            )
            logs.app_line(inc, svc, rng.choice(alive), t, "ERROR", message)
