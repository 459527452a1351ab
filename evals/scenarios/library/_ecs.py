"""An ECS on Fargate estate for scenarios: cluster, services, task definitions, tasks and their telemetry.

Scenarios decide how tasks live and die (`EcsTask`); this module renders them as DescribeServices /
DescribeTasks items, service events, Container Insights metrics and the deploy's CloudTrail records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from evals.scenarios import cloudtrail
from evals.scenarios.account import iso, tags
from evals.scenarios.cloudtrail import Actor
from evals.scenarios.incident import Incident
from evals.scenarios.library._extra_resources import ExtendedIncident, series

NAMES = ["pricing", "search", "notifications", "recommendations", "inventory-sync", "auth", "media", "quotes"]
KEPT_STOPPED = timedelta(hours=1)  # DescribeTasks shows stopped tasks for about an hour


@dataclass
class EcsTask:
    id: str
    revision: int
    subnet: dict[str, Any]
    ip: str
    created: datetime
    started: datetime | None
    stopped: datetime | None = None
    stop_code: str = ""
    stopped_reason: str = ""
    exit_code: int | None = None
    container_reason: str = ""
    mem_start: float = 50.0  # percent of the task's memory at start
    mem_growth: float = 0.0  # percent per minute
    started_by: str = ""

    def running(self, at: datetime) -> bool:
        return self.started is not None and self.started <= at and (self.stopped is None or at < self.stopped)

    def memory(self, at: datetime) -> float:
        assert self.started is not None
        return min(100.0, self.mem_start + self.mem_growth * (at - self.started).total_seconds() / 60)


@dataclass
class EcsService:
    name: str
    arn: str
    family: str
    container: str
    repo: str
    cpu: int
    desired: int
    log_group: str
    sg_id: str
    created: datetime
    revisions: dict[int, dict[str, Any]] = field(default_factory=dict)  # revision -> task definition
    revision: int = 0  # the service's current task definition
    tasks: list[EcsTask] = field(default_factory=list)
    events: list[tuple[datetime, str]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    breaker: bool = False
    rollback: bool = False
    min_healthy: int = 100
    max_percent: int = 200

    def definition_arn(self, revision: int, acct: Any) -> str:
        return f"arn:aws:ecs:{acct.region}:{acct.account_id}:task-definition/{self.family}:{revision}"

    def running(self, at: datetime) -> list[EcsTask]:
        return [t for t in self.tasks if t.running(at)]

    def memory(self, revision: int | None = None) -> int:
        return int(self.revisions[revision or self.revision]["memory"])

    def deployment_id(self, inc: Incident) -> str:
        return f"ecs-svc/{inc.rng.randrange(10**18, 10**19)}"


@dataclass
class EcsCluster:
    name: str
    arn: str
    services: list[EcsService]


def draw_cluster(inc: Incident, count: int) -> EcsCluster:
    """A Fargate cluster with `count` services, each with a few long-running tasks of its current revision."""
    rng, acct, w = inc.rng, inc.account, inc.window
    name = acct.name("cluster", hyphens=True) if rng.random() < 0.6 else f"{acct.product}-{acct.env}"
    arn = f"arn:aws:ecs:{acct.region}:{acct.account_id}:cluster/{name}"
    acct.roles["ecsTaskExecutionRole"] = ("ECS task execution", "ecs-tasks.amazonaws.com")
    services = []
    for label in rng.sample(NAMES, count):
        family = f"{acct.product}-{label}"
        sg = acct._sg(f"{family}-tasks", f"{label} tasks", [acct._from_group(8080, acct.services[0].sg_id)])
        acct.roles[f"{family}-task"] = (f"Task role for {label}", "ecs-tasks.amazonaws.com")
        svc = EcsService(
            name=label,
            arn=f"arn:aws:ecs:{acct.region}:{acct.account_id}:service/{name}/{label}",
            family=family,
            container=label,
            repo=f"{acct.account_id}.dkr.ecr.{acct.region}.amazonaws.com/{label}",
            cpu=rng.choice([256, 512, 1024]),
            desired=rng.randrange(2, 6),
            log_group=f"/ecs/{family}",
            sg_id=sg,
            created=acct.created + timedelta(days=rng.randrange(1, 60)),
            breaker=rng.random() < 0.5,
            min_healthy=rng.choice([50, 100]),
        )
        svc.max_percent = 200 if svc.min_healthy == 100 else rng.choice([100, 150, 200])
        svc.rollback = svc.breaker and rng.random() < 0.7
        svc.revision = rng.randrange(4, 90)
        registered = w.start - timedelta(days=rng.randrange(1, 20), seconds=rng.randrange(86400))
        image = f"{svc.repo}:{acct.ids.hex(7)}"
        memory = rng.choice([1024, 2048]) if svc.cpu < 1024 else rng.choice([2048, 4096])
        svc.revisions[svc.revision] = definition(inc, svc, svc.revision, image, memory, registered, {})
        acct.extra_log_groups.append(svc.log_group)
        svc.deployments.append(_deployment(inc, svc, svc.revision, registered + timedelta(minutes=1)))
        for k in range(svc.desired):
            created = registered + timedelta(minutes=1, seconds=rng.randrange(5, 90))
            launch(inc, svc, created, svc.revision, mem=(rng.uniform(40, 70), 0.0), k=k)
        svc.events.append(
            (
                registered + timedelta(minutes=rng.randrange(4, 9)),
                f"(service {label}) has reached a steady state.",
            )
        )
        services.append(svc)
    return EcsCluster(name, arn, services)


def definition(
    inc: Incident,
    svc: EcsService,
    revision: int,
    image: str,
    memory: int,
    registered: datetime,
    environment: dict[str, str],
) -> dict[str, Any]:
    """The TaskDefinition item of one revision (what DescribeTaskDefinition returns)."""
    acct = inc.account
    container: dict[str, Any] = {
        "name": svc.container,
        "image": image,
        "cpu": 0,
        "memory": memory,
        "essential": True,
        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
        "environment": [{"name": k, "value": v} for k, v in sorted(environment.items())],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": svc.log_group,
                "awslogs-region": acct.region,
                "awslogs-stream-prefix": "ecs",
            },
        },
    }
    return {
        "taskDefinitionArn": svc.definition_arn(revision, acct),
        "containerDefinitions": [container],
        "family": svc.family,
        "taskRoleArn": acct.role_arn(f"{svc.family}-task"),
        "executionRoleArn": acct.role_arn("ecsTaskExecutionRole"),
        "networkMode": "awsvpc",
        "revision": revision,
        "status": "ACTIVE",
        "compatibilities": ["EC2", "FARGATE"],
        "requiresCompatibilities": ["FARGATE"],
        "cpu": str(svc.cpu),
        "memory": str(memory),
        "registeredAt": iso(registered),
    }


def launch(
    inc: Incident,
    svc: EcsService,
    created: datetime,
    revision: int,
    *,
    mem: tuple[float, float],
    k: int | None = None,
) -> EcsTask:
    """A task the scheduler places (AZ round-robin); it runs from about a minute later."""
    rng, acct = inc.rng, inc.account
    subnets = acct.private_subnets
    subnet = subnets[k % len(subnets)] if k is not None else rng.choice(subnets)
    cidr = subnet["CidrBlock"]
    task = EcsTask(
        id=acct.ids.hex(32),
        revision=revision,
        subnet=subnet,
        ip=acct.ids.ip(cidr),
        created=created,
        started=created + timedelta(seconds=rng.randrange(35, 80)),
        mem_start=mem[0],
        mem_growth=mem[1],
        started_by=svc.deployments[-1]["id"] if svc.deployments else "",
    )
    svc.tasks.append(task)
    return task


def stop(
    task: EcsTask, when: datetime, code: str, reason: str, exit_code: int | None = None, why: str = ""
) -> None:
    task.stopped, task.stop_code, task.stopped_reason = when, code, reason
    task.exit_code, task.container_reason = exit_code, why


def _deployment(inc: Incident, svc: EcsService, revision: int, when: datetime) -> dict[str, Any]:
    return {
        "id": svc.deployment_id(inc),
        "status": "PRIMARY",
        "taskDefinition": svc.definition_arn(revision, inc.account),
        "desiredCount": svc.desired,
        "pendingCount": 0,
        "runningCount": svc.desired,
        "failedTasks": 0,
        "createdAt": iso(when),
        "updatedAt": iso(when + timedelta(minutes=inc.rng.randrange(3, 8))),
        "launchType": "FARGATE",
        "platformVersion": "1.4.0",
        "rolloutState": "COMPLETED",
        "rolloutStateReason": "ECS deployment completed successfully.",
    }


def deploy(
    inc: Incident,
    svc: EcsService,
    actor: Actor,
    when: datetime,
    *,
    image: str | None = None,
    memory: int | None = None,
    environment: dict[str, str] | None = None,
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """RegisterTaskDefinition then UpdateService, as a pipeline or a person does it.

    Returns both CloudTrail records and the new revision; the old deployment turns ACTIVE.
    """
    rng = inc.rng
    old = svc.revisions[svc.revision]
    container = old["containerDefinitions"][0]
    revision = svc.revision + 1
    env = {e["name"]: e["value"] for e in container["environment"]} | (environment or {})
    new = definition(inc, svc, revision, image or container["image"], memory or int(old["memory"]), when, env)
    # Everything else of the container (health check, ports, logging) carries over unchanged.
    fresh = new["containerDefinitions"][0]
    new["containerDefinitions"] = [{**container, **{k: fresh[k] for k in ("image", "memory", "environment")}}]
    svc.revisions[revision] = new
    registered = cloudtrail.record(
        inc,
        actor,
        when,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": svc.family,
            "taskRoleArn": new["taskRoleArn"],
            "executionRoleArn": new["executionRoleArn"],
            "networkMode": "awsvpc",
            "containerDefinitions": new["containerDefinitions"],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": new["cpu"],
            "memory": new["memory"],
        },
        {"taskDefinition": {k: v for k, v in new.items() if k != "containerDefinitions"}},
    )
    updated_at = when + timedelta(seconds=rng.randrange(3, 25))
    for d in svc.deployments:
        d["status"] = "ACTIVE"
    deployment = _deployment(inc, svc, revision, updated_at)
    deployment |= {
        "rolloutState": "IN_PROGRESS",
        "rolloutStateReason": "ECS deployment in progress.",
        "runningCount": 0,
    }
    svc.deployments.append(deployment)
    updated = cloudtrail.record(
        inc,
        actor,
        updated_at,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": svc.arn.split("/")[1], "service": svc.name, "taskDefinition": f"{svc.family}:{revision}"},
        {
            "service": {
                "serviceArn": svc.arn,
                "serviceName": svc.name,
                "taskDefinition": new["taskDefinitionArn"],
                "desiredCount": svc.desired,
                "status": "ACTIVE",
            }
        },
    )
    svc.revision = revision
    return registered, updated, revision


def healthy_rollout(
    inc: Incident, svc: EcsService, at: datetime, revision: int, growth: float = 0.0
) -> datetime:
    """Replace every old task by one of `revision` that passes its checks; returns when the rollout completed.

    `growth` is how fast the new tasks' memory climbs (percent of the task's memory per minute).
    """
    rng = inc.rng
    old = svc.running(at)
    t = at + timedelta(seconds=rng.randrange(5, 30))
    for k, prev in enumerate(old):
        start = rng.uniform(30, 50) if growth else rng.uniform(40, 70)
        task = launch(inc, svc, t, revision, mem=(start, growth * rng.uniform(0.85, 1.2)), k=k)
        inc_event(svc, t, f"(service {svc.name}) has started 1 tasks: (task {task.id}).")
        assert task.started is not None
        stop(
            prev,
            task.started + timedelta(seconds=rng.randrange(20, 60)),
            "ServiceSchedulerInitiated",
            f"Scaling activity initiated by (deployment {svc.deployments[-1]['id']})",
        )
        t = task.started + timedelta(seconds=rng.randrange(5, 30))
    done = t + timedelta(seconds=rng.randrange(30, 120))
    complete(svc, done)
    return done


def complete(svc: EcsService, when: datetime) -> None:
    current = svc.deployments[-1]
    current |= {
        "rolloutState": "COMPLETED",
        "rolloutStateReason": "ECS deployment completed successfully.",
        "runningCount": svc.desired,
        "updatedAt": iso(when),
    }
    svc.deployments = [current]
    inc_event(svc, when, f"(service {svc.name}) deployment {current['id']} deployment completed.")
    inc_event(svc, when + timedelta(seconds=2), f"(service {svc.name}) has reached a steady state.")


def inc_event(svc: EcsService, when: datetime, message: str) -> None:
    svc.events.append((when, message))


# --- rendering ------------------------------------------------------------------------------------


def render(inc: ExtendedIncident, cluster: EcsCluster) -> None:
    """Resources (cluster, services, task definitions, tasks) and Container Insights metrics."""
    now = inc.window.now
    running = sum(len(s.running(now)) for s in cluster.services)
    inc.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster.arn,
            "clusterName": cluster.name,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": running,
            "pendingTasksCount": 0,
            "activeServicesCount": len(cluster.services),
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    for svc in cluster.services:
        for _, item in sorted(svc.revisions.items()):
            inc.resource("ecs", "TaskDefinition", item)
        inc.resource("ecs", "Service", _service_item(inc, cluster, svc))
        for task in svc.tasks:
            if task.created > now or (task.stopped and now - task.stopped > KEPT_STOPPED):
                continue
            inc.resource("ecs", "Task", _task_item(inc, cluster, svc, task))
        _metrics(inc, cluster, svc)


def _service_item(inc: Incident, cluster: EcsCluster, svc: EcsService) -> dict[str, Any]:
    acct, now = inc.account, inc.window.now
    events = [
        {"id": acct.ids.uuid(), "createdAt": iso(when), "message": message}
        for when, message in sorted(svc.events, key=lambda e: e[0])
    ]
    return {
        "serviceArn": svc.arn,
        "serviceName": svc.name,
        "clusterArn": cluster.arn,
        "loadBalancers": [],
        "serviceRegistries": [],
        "status": "ACTIVE",
        "desiredCount": svc.desired,
        "runningCount": len(svc.running(now)),
        "pendingCount": sum(1 for t in svc.tasks if t.created <= now and (t.started or now) > now),
        "launchType": "FARGATE",
        "platformVersion": "LATEST",
        "platformFamily": "Linux",
        "taskDefinition": svc.definition_arn(svc.revision, acct),
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": svc.breaker, "rollback": svc.rollback},
            "maximumPercent": svc.max_percent,
            "minimumHealthyPercent": svc.min_healthy,
        },
        "deployments": svc.deployments,
        "events": events,
        "createdAt": iso(svc.created),
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": [s["SubnetId"] for s in acct.private_subnets],
                "securityGroups": [svc.sg_id],
                "assignPublicIp": "DISABLED",
            }
        },
        "schedulingStrategy": "REPLICA",
        "deploymentController": {"type": "ECS"},
        "enableECSManagedTags": True,
        "propagateTags": "SERVICE",
        "enableExecuteCommand": False,
        "tags": [{"key": "Name", "value": svc.name}],
    }


def _task_item(inc: Incident, cluster: EcsCluster, svc: EcsService, task: EcsTask) -> dict[str, Any]:
    acct = inc.account
    arn = f"arn:aws:ecs:{acct.region}:{acct.account_id}:task/{cluster.name}/{task.id}"
    definition_ = svc.revisions[task.revision]
    container: dict[str, Any] = {
        "containerArn": f"arn:aws:ecs:{acct.region}:{acct.account_id}:container/{cluster.name}/{task.id}/"
        f"{acct.ids.uuid()}",
        "taskArn": arn,
        "name": svc.container,
        "image": definition_["containerDefinitions"][0]["image"],
        "lastStatus": "STOPPED" if task.stopped else "RUNNING",
        "networkInterfaces": [{"attachmentId": acct.ids.uuid(), "privateIpv4Address": task.ip}],
        "cpu": "0",
        "memory": definition_["memory"],
    }
    item: dict[str, Any] = {
        "attachments": [
            {
                "id": acct.ids.uuid(),
                "type": "ElasticNetworkInterface",
                "status": "DELETED" if task.stopped else "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": task.subnet["SubnetId"]},
                    {"name": "networkInterfaceId", "value": acct.ids.ec2("eni")},
                    {"name": "privateIPv4Address", "value": task.ip},
                ],
            }
        ],
        "availabilityZone": task.subnet["AvailabilityZone"],
        "clusterArn": cluster.arn,
        "connectivity": "CONNECTED",
        "containers": [container],
        "cpu": str(svc.cpu),
        "createdAt": iso(task.created),
        "desiredStatus": "STOPPED" if task.stopped else "RUNNING",
        "group": f"service:{svc.name}",
        "lastStatus": "STOPPED" if task.stopped else "RUNNING",
        "launchType": "FARGATE",
        "memory": definition_["memory"],
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "pullStartedAt": iso(task.created + timedelta(seconds=8)),
        "pullStoppedAt": iso(task.created + timedelta(seconds=25)),
        "startedBy": task.started_by,
        "taskArn": arn,
        "taskDefinitionArn": definition_["taskDefinitionArn"],
        "version": 4 if task.stopped else 2,
        "tags": tags(Name=svc.name),
    }
    item["tags"] = [{"key": t["Key"], "value": t["Value"]} for t in item["tags"]]
    if task.started:
        item["startedAt"] = iso(task.started)
    if task.stopped:
        item |= {
            "stoppingAt": iso(task.stopped - timedelta(seconds=2)),
            "executionStoppedAt": iso(task.stopped - timedelta(seconds=1)),
            "stoppedAt": iso(task.stopped),
            "stopCode": task.stop_code,
            "stoppedReason": task.stopped_reason,
        }
        if task.exit_code is not None:
            container["exitCode"] = task.exit_code
        if task.container_reason:
            container["reason"] = task.container_reason
    return item


def _metrics(inc: Incident, cluster: EcsCluster, svc: EcsService) -> None:
    """Container Insights and AWS/ECS service metrics from the tasks' lifetimes."""
    rng, w = inc.rng, inc.window
    dims = {"ClusterName": cluster.name, "ServiceName": svc.name}
    running: list[float | None] = []
    mem_pct: list[float | None] = []
    mem_mb: list[float | None] = []
    cpu_pct: list[float | None] = []
    for _, when in w.grid():
        live = svc.running(when)
        running.append(float(len(live)))
        if not live:
            mem_pct.append(None)
            mem_mb.append(None)
            cpu_pct.append(None)
            continue
        pct = [t.memory(when) for t in live]
        mem_pct.append(sum(pct) / len(pct))
        mem_mb.append(sum(p / 100 * svc.memory(t.revision) for p, t in zip(pct, live, strict=True)))
        cpu_pct.append(max(1.0, rng.gauss(25, 4) * svc.desired / len(live)))
    series(inc, "ECS/ContainerInsights", "RunningTaskCount", dims, "Count", running, svc.arn, decimals=0)
    series(
        inc,
        "ECS/ContainerInsights",
        "DesiredTaskCount",
        dims,
        "Count",
        [float(svc.desired)] * w.minutes,
        svc.arn,
        decimals=0,
    )
    series(inc, "ECS/ContainerInsights", "MemoryUtilized", dims, "Megabytes", mem_mb, svc.arn, decimals=0)
    series(inc, "AWS/ECS", "MemoryUtilization", dims, "Percent", mem_pct, svc.arn)
    series(inc, "AWS/ECS", "CPUUtilization", dims, "Percent", cpu_pct, svc.arn)
