"""#9 An ECS deployment with a bad configuration fails its health checks (circuit breaker).

A release changes one environment variable of a service's task definition. The new tasks crash at
start-up or fail their container health check. The service runs with minimum healthy 50%, so the
deployment first stops half of the old tasks: the remaining ones are overloaded and the web tier's
calls to the service fail. With the deployment circuit breaker the deployment is marked FAILED after
a few failed tasks (and rolled back if rollback is on); without it, tasks cycle until someone acts.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from evals.bundle.model import RootCause, Truth
from evals.bundle.shapes import to_datetime
from evals.scenarios import assembly, cloudtrail, logs
from evals.scenarios.account import Instance, Service, iso
from evals.scenarios.baseline import Traffic, build_baseline, poisson, refresh_alb_latency
from evals.scenarios.incident import Incident
from evals.scenarios.library import _ecs
from evals.scenarios.library._extra_resources import latency_alarm, new_incident
from evals.scenarios.registry import scenario
from evals.scenarios.traces import Dependency, Outcome

QUESTIONS = [
    "{svc} errors since {t}, right when {ecs} was being deployed. What went wrong?",
    "Why is {product} failing since {t}?",
    "The {ecs} deploy at {t} did not go through and {svc} is unhappy. Why?",
]


@dataclass(frozen=True)
class BadConfig:
    variable: str
    old: str
    new: str
    crash: bool  # the container exits at start-up; otherwise it runs but fails its health check
    log: str


def _configs(host: str) -> list[BadConfig]:
    return [
        BadConfig(
            "SPRING_PROFILES_ACTIVE",
            "prod",
            "production",
            True,
            "APPLICATION FAILED TO START: Could not resolve placeholder 'db.url' in value \"${db.url}\"",
        ),
        BadConfig(
            "CONFIG_PROFILE",
            "prod",
            "prod-v2",
            True,
            "FATAL config profile 'prod-v2' not found in /app/config",
        ),
        BadConfig(
            "CACHE_URL",
            f"redis://{host}:6379",
            f"rediss://{host}:6379",
            False,
            "Health check failed: Redis connection error: SSL handshake failed (wrong version number)",
        ),
        BadConfig(
            "UPSTREAM_TIMEOUT_MS",
            "3000",
            "30",
            False,
            "Health check failed: dependency 'catalog' timed out after 30ms",
        ),
    ]


@scenario(
    9,
    "ecs-bad-config-deploy",
    "ECS deployment failing health checks after a bad config change",
    "A new task definition changes one variable; new tasks fail, half the old ones were already stopped.",
)
def generate(rng: random.Random) -> Incident:
    inc = new_incident(rng, "")
    w, acct = inc.window, inc.account
    web = acct.services[0]
    traffic = Traffic.draw(inc)
    build_baseline(inc, traffic)
    cluster = _ecs.draw_cluster(inc, rng.randrange(2, 4))
    svc, *others = cluster.services
    inc.protected.add(svc.arn)
    svc.min_healthy, svc.max_percent = 50, 100
    svc.breaker = rng.random() < 0.75
    svc.rollback = svc.breaker and rng.random() < 0.6
    svc.desired = len(svc.running(w.onset))
    bad = rng.choice(_configs(f"{acct.product}-cache.{acct.ids.hex(6)}.ng.0001.cache.amazonaws.com"))
    for k, rev in list(svc.revisions.items()):
        container = rev["containerDefinitions"][0]
        container["environment"] = [{"name": bad.variable, "value": bad.old}]
        container["healthCheck"] = {
            "command": ["CMD-SHELL", "curl -fs http://localhost:8080/health || exit 1"],
            "interval": 30,
            "timeout": 5,
            "retries": 3,
            "startPeriod": rng.choice([30, 60]),
        }
        svc.revisions[k] = rev

    actor = rng.choice([*cloudtrail.people(inc, 2), cloudtrail.ci_actor(inc)])
    old_revision = svc.revision
    image = f"{svc.repo}:{acct.ids.hex(7)}" if rng.random() < 0.5 else None
    _, updated, revision = _ecs.deploy(
        inc, svc, actor, w.onset, image=image, environment={bad.variable: bad.new}
    )
    at = to_datetime(updated["eventTime"])
    inc.hop("new task definition deployed", svc.arn, at)
    failures, halved, restored = _failing_rollout(inc, svc, at, revision, old_revision, bad)
    inc.hop("half of the old tasks stopped", svc.arn, halved)

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

    serving = [len([t for t in svc.running(when_) if t.revision != revision]) for _, when_ in w.grid()]
    short = [min(0.9, 0.8 * max(0, svc.desired - s) / svc.desired) for s in serving]
    share = rng.uniform(0.3, 0.7)
    tg = {"TargetGroup": web.tg_dimension, "LoadBalancer": acct.alb_dimension}
    t5 = inc.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", **tg)
    lat = inc.get("AWS/ApplicationELB", "TargetResponseTime", **tg)
    rpm = traffic.rpm[web.name]
    for i in range(w.index(halved), w.minutes):
        t5.values[i] = (t5.values[i] or 0) + float(poisson(rng, rpm[i] * share * short[i]))
        lat.values[i] = (lat.values[i] or 0.1) + share * short[i] * rng.uniform(1.0, 2.5)
    refresh_alb_latency(inc, traffic)
    inc.hop("web tier calls to the service fail", web.tg_arn, w.same_minute(halved, rng, (5, 40)), t5)

    host = f"{svc.name}.{rng.choice([acct.env, acct.product])}.internal"
    dep = Dependency("http", host, rng.uniform(15, 60), share)

    def hook(when_: datetime, inst: Instance, d: Dependency) -> Outcome | None:
        if d is not dep or when_ < halved or rng.random() > short[w.index(when_)]:
            return None
        return Outcome(
            extra_ms=rng.uniform(1000, 5000),
            fault=True,
            exception="HttpServerErrorException",
            message="503 Service Unavailable: upstream overloaded",
            status=503,
        )

    topic = assembly.background(
        inc,
        traffic,
        near=["ssm_parameter", "launch_template_version", "target_group_attributes", "function_code"],
        hook=hook,
        extra_deps=[
            dep,
            *(Dependency("http", f"{o.name}.internal", rng.uniform(10, 40), 0.2) for o in others[:1]),
        ],
    )
    _task_logs(inc, cluster, revision, bad)
    _web_logs(inc, web, traffic, host, share, short, halved)
    alarms = assembly.standard_alarms(inc, topic, replace={"latency": latency_alarm(inc, web)})
    question = rng.choice(QUESTIONS).format(
        t=assembly.local_time(inc, w.onset), svc=web.name, ecs=svc.name, product=acct.product
    )
    assembly.pick_trigger(inc, alarms, ["target_5xx", "latency", "elb_5xx"], halved, question)
    inc.title = f"{svc.name} deployment of {svc.family}:{revision} fails its health checks"
    how = "exit at start-up" if bad.crash else "fail their container health check"
    ending = (
        "the circuit breaker marks the deployment FAILED and rolls back"
        if svc.rollback
        else "the circuit breaker marks the deployment FAILED (no rollback)"
        if svc.breaker
        else "without a circuit breaker, ECS keeps replacing the failing tasks"
    )
    inc.truth = Truth(
        root_cause=RootCause(
            resource=svc.arn,
            category="change",
            failure_mode="ecs-deployment-failing-health-checks",
            event_id=updated["eventID"],
        ),
        also_accept=[svc.definition_arn(revision, acct)],
        actions=["rollback", "reconfigure"],
        chain=[
            f"{actor.name} deploys {svc.family}:{revision}, changing {bad.variable} from '{bad.old}' to "
            f"'{bad.new}'",
            f"with minimum healthy 50% ECS first stops half of the old tasks; the new tasks {how} "
            f"({len(failures)} failed by now)",
            f"{ending}" + (f"; full capacity again at {restored:%H:%M}" if restored else ""),
            f"the remaining {svc.name} tasks are overloaded: {web.name}'s calls fail with 503 and it returns 5XX",
        ],
    )
    return inc


def _failing_rollout(
    inc: Incident, svc: _ecs.EcsService, at: datetime, revision: int, old_revision: int, bad: BadConfig
) -> tuple[list[datetime], datetime, datetime | None]:
    """Stop half the old tasks, start new ones that fail; returns failure times, when capacity halved,
    and when rollback restored full capacity (None if it did not)."""
    rng, w = inc.rng, inc.window
    deployment = svc.deployments[-1]
    old = svc.running(at)
    half = max(1, len(old) // 2)
    halved = at + timedelta(seconds=rng.randrange(5, 25))
    for task in old[:half]:
        _ecs.stop(
            task,
            halved,
            "ServiceSchedulerInitiated",
            f"Scaling activity initiated by (deployment {deployment['id']})",
        )
    _ecs.inc_event(
        svc,
        halved,
        f"(service {svc.name}) has stopped {half} running tasks: "
        + " ".join(f"(task {t.id})." for t in old[:half]),
    )
    threshold = max(3, min(200, math.ceil(0.5 * svc.desired)))
    failures: list[datetime] = []
    t = halved + timedelta(seconds=rng.randrange(10, 40))
    delay = 30.0
    while t < w.now:
        started = []
        for k in range(half):
            task = _ecs.launch(inc, svc, t + timedelta(seconds=k), revision, mem=(rng.uniform(20, 40), 0.0))
            started.append(task)
        _ecs.inc_event(
            svc,
            t,
            f"(service {svc.name}) has started {half} tasks: " + " ".join(f"(task {x.id})." for x in started),
        )
        latest = t
        for task in started:
            assert task.started is not None
            if bad.crash:
                end = task.started + timedelta(seconds=rng.randrange(6, 25))
                _ecs.stop(task, end, "EssentialContainerExited", "Essential container in task exited", 1)
            else:
                end = task.started + timedelta(seconds=30 * 3 + rng.randrange(20, 70))
                _ecs.stop(task, end, "ServiceSchedulerInitiated", "Task failed container health checks")
                _ecs.inc_event(
                    svc, end, f"(service {svc.name}) (task {task.id}) failed container health checks."
                )
            if end < w.now:
                failures.append(end)
            latest = max(latest, end)
        if latest >= w.now:
            break
        deployment["failedTasks"] = len(failures)
        if svc.breaker and len(failures) >= threshold:
            return failures, halved, _trip(inc, svc, latest, old_revision, half)
        delay = min(delay * 1.6, 600.0)  # the scheduler backs off between repeated failures
        t = latest + timedelta(seconds=delay * rng.uniform(0.8, 1.2))
        if not svc.breaker and len(failures) >= 2 * threshold:
            _ecs.inc_event(
                svc, t, f"(service {svc.name}) is unable to consistently start tasks successfully."
            )
    return failures, halved, None


def _trip(
    inc: Incident, svc: _ecs.EcsService, when: datetime, old_revision: int, half: int
) -> datetime | None:
    """The circuit breaker fails the deployment; with rollback, ECS redeploys the previous revision."""
    rng = inc.rng
    failed = svc.deployments[-1]
    failed |= {
        "rolloutState": "FAILED",
        "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.",
        "updatedAt": iso(when),
    }
    _ecs.inc_event(
        svc, when, f"(service {svc.name}) deployment {failed['id']} deployment failed: tasks failed to start."
    )
    if not svc.rollback:
        return None
    back = when + timedelta(seconds=rng.randrange(3, 15))
    previous = next(d for d in svc.deployments if d is not failed)
    _ecs.inc_event(svc, back, f"(service {svc.name}) rolling back to deployment {previous['id']}.")
    svc.deployments = [failed]
    svc.deployments.append(
        {
            **previous,
            "id": svc.deployment_id(inc),
            "status": "PRIMARY",
            "createdAt": iso(back),
            "updatedAt": iso(back),
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment in progress.",
        }
    )
    failed["status"] = "ACTIVE"
    svc.revision = old_revision
    latest = back
    for k in range(half):
        task = _ecs.launch(
            inc, svc, back + timedelta(seconds=k + 5), old_revision, mem=(rng.uniform(40, 70), 0.0)
        )
        _ecs.inc_event(svc, task.created, f"(service {svc.name}) has started 1 tasks: (task {task.id}).")
        assert task.started is not None
        latest = max(latest, task.started)
    done = latest + timedelta(seconds=rng.randrange(30, 90))
    if done < inc.window.now:
        _ecs.complete(svc, done)
    return latest


def _task_logs(inc: Incident, cluster: _ecs.EcsCluster, revision: int, bad: BadConfig) -> None:
    rng, w = inc.rng, inc.window
    for svc in cluster.services:
        for task in svc.tasks:
            if task.started is None or (task.stopped and task.stopped < w.start):
                continue
            stream = f"ecs/{svc.container}/{task.id}"
            if task.started >= w.start:
                inc.log(
                    svc.log_group,
                    stream,
                    task.started + timedelta(seconds=2),
                    f"Starting {svc.name} on port 8080",
                )
            if svc is cluster.services[0] and task.revision == revision and task.stopped:
                t = task.started + timedelta(seconds=rng.randrange(3, 6))
                while t < task.stopped:
                    inc.log(svc.log_group, stream, t, ("FATAL " if bad.crash else "ERROR ") + bad.log)
                    t += timedelta(seconds=30 if not bad.crash else 3600)
                continue
            t = max(task.started, w.start) + timedelta(seconds=rng.randrange(20, 240))
            end = min(task.stopped or w.now, w.now)
            while t < end:
                inc.log(
                    svc.log_group,
                    stream,
                    t,
                    f"INFO processed {rng.randrange(200, 4000)} requests in the last minute",
                )
                t += timedelta(seconds=rng.randrange(40, 120))


def _web_logs(
    inc: Incident,
    svc: Service,
    traffic: Traffic,
    host: str,
    share: float,
    short: list[float],
    since: datetime,
) -> None:
    rng, w = inc.rng, inc.window
    for i in range(w.index(since), w.minutes):
        alive = svc.alive(w.at(i))
        for _ in range(min(poisson(rng, traffic.rpm[svc.name][i] * share * short[i] * 0.05), 10)):
            t = w.at(i) + timedelta(milliseconds=rng.randrange(60000))
            logs.app_line(
                inc, svc, rng.choice(alive), t, "ERROR", f"Upstream {host} returned 503 Service Unavailable"
            )
