"""A 'rightsizing' task definition halves the catalog search API's memory; tasks are OOM-killed under load."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_n import (
    CONSOLE_AGENT,
    GRAFANA,
    MINUTE,
    TERRAFORM,
    Json,
    Kit,
    floor_minute,
    grid,
    iam_role,
    iso,
    log_group,
    ms,
    pick_day,
    role_identity,
    sso_identity,
)

NAME = "catalog-search-task-rightsizing"
TITLE = "Catalog search intermittently failing with 502s"
SUMMARY = (
    "A new task definition revision halves the ECS service's task and container memory; under load the Node "
    "tasks are OOM-killed (exit 137) and replaced over and over, and the ALB serves 502s."
)

PEOPLE = ["elif.demir", "oscar.lindqvist", "maya.cohen", "felix.braun", "ines.moreau", "kofi.mensah"]


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, regions=("eu-central-1", "eu-west-1", "eu-north-1"))
    rng = kit.rng
    day = pick_day(kit)
    onset = day + timedelta(hours=rng.randint(9, 14), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    start = floor_minute(onset - timedelta(hours=rng.randint(4, 6)))
    start = start.replace(minute=start.minute - start.minute % 5)
    near = floor_minute(onset - timedelta(hours=2))
    near = near.replace(minute=near.minute - near.minute % 5)
    end_sim = onset + timedelta(minutes=90)
    domain = rng.choice(["shopkeep.de", "modehaus.eu", "nordlys.shop"])
    _dev, oncall, other = (f"{p}@{domain}" for p in rng.sample(PEOPLE, 3))
    created = day - timedelta(days=rng.randint(200, 600))

    cluster, service = "catalog-prod", "catalog-search-api"
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    service_arn = kit.arn("ecs", f"service/{cluster}/{service}")
    old_rev, new_rev = rng.randint(30, 70), 0
    new_rev = old_rev + 1
    td_old = kit.arn("ecs", f"task-definition/{service}:{old_rev}")
    td_new = kit.arn("ecs", f"task-definition/{service}:{new_rev}")
    image = f"{kit.account}.dkr.ecr.{kit.region}.amazonaws.com/{service}:{kit.hexs(7)}"
    digest = "sha256:" + kit.hexs(64)
    exec_role = iam_role(kit, "ecsTaskExecutionRole", "ecs-tasks.amazonaws.com", created, onset)
    task_role = iam_role(kit, f"{service}-task", "ecs-tasks.amazonaws.com", created, onset)
    vpc = kit.ec2_id("vpc")
    subnets = [kit.ec2_id("subnet") for _ in range(3)]
    azs = [f"{kit.region}{c}" for c in "abc"]
    task_sg = kit.ec2_id("sg")
    second = rng.randint(16, 60)
    lb_hex, tg_hex = kit.hexs(16), kit.hexs(16)
    lb_name, tg_name = "catalog-prod-alb", "catalog-search-api-tg"
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    lbd = {"LoadBalancer": f"app/{lb_name}/{lb_hex}"}
    tgd = {"TargetGroup": f"targetgroup/{tg_name}/{tg_hex}", "LoadBalancer": lbd["LoadBalancer"]}
    desired = 6
    deploy_id_old = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    deploy_id_new = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    log_grp = f"/ecs/{service}"

    # --- task definitions -------------------------------------------------------------------------------
    def task_def(rev: int, arn: str, cpu: int, mem: int, registered: datetime) -> Json:
        return kit.resource(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": arn,
                "containerDefinitions": [
                    {
                        "name": service,
                        "image": image,
                        "cpu": 0,
                        "memory": mem - 128,
                        "portMappings": [
                            {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "name": "http"}
                        ],
                        "essential": True,
                        "environment": [
                            {"name": "NODE_ENV", "value": "production"},
                            {"name": "NODE_OPTIONS", "value": "--max-old-space-size=1536"},
                            {"name": "SEARCH_CACHE_MAX_ITEMS", "value": "400000"},
                            {
                                "name": "OPENSEARCH_URL",
                                "value": f"https://vpc-catalog-prod-{kit.hexs(26)}.{kit.region}.es.amazonaws.com",
                            },
                        ],
                        "mountPoints": [],
                        "volumesFrom": [],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": log_grp,
                                "awslogs-region": kit.region,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                        "healthCheck": {
                            "command": ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"],
                            "interval": 30,
                            "timeout": 5,
                            "retries": 3,
                            "startPeriod": 20,
                        },
                        "systemControls": [],
                    },
                    {
                        "name": "log-router",
                        "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                        "cpu": 0,
                        "memory": 128,
                        "essential": False,
                        "environment": [],
                        "mountPoints": [],
                        "volumesFrom": [],
                        "user": "0",
                        "firelensConfiguration": {"type": "fluentbit", "options": {}},
                        "systemControls": [],
                    },
                ],
                "family": service,
                "taskRoleArn": task_role["Arn"],
                "executionRoleArn": exec_role["Arn"],
                "networkMode": "awsvpc",
                "revision": rev,
                "volumes": [],
                "status": "ACTIVE",
                "requiresAttributes": [
                    {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
                    {"name": "ecs.capability.execution-role-awslogs"},
                    {"name": "com.amazonaws.ecs.capability.task-iam-role"},
                    {"name": "ecs.capability.container-health-check"},
                    {"name": "ecs.capability.task-eni"},
                    {"name": "ecs.capability.firelens.fluentbit"},
                ],
                "placementConstraints": [],
                "compatibilities": ["EC2", "FARGATE"],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": str(cpu),
                "memory": str(mem),
                "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
                "registeredAt": iso(registered),
                "registeredBy": f"arn:aws:sts::{kit.account}:assumed-role/github-actions-catalog/GitHubActions",
            },
        )

    deploy_at = onset
    register_at = onset - timedelta(seconds=rng.randint(20, 50))
    task_def(old_rev, td_old, 1024, 2048, day - timedelta(days=rng.randint(3, 20)))
    task_def(new_rev, td_new, 512, 1024, register_at)
    limit_old, limit_new = 2048 - 128, 1024 - 128

    # --- the tasks ----------------------------------------------------------------------------------
    base_rps = rng.uniform(55, 90)  # whole service at peak

    def rps(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return base_rps * (0.5 + 0.5 * max(0.0, 1 - abs(h - 12) / 8))

    class Task:
        def __init__(self, started: datetime, rev: int, ip: str) -> None:
            self.id = kit.hexs(32)
            self.started = started
            self.healthy = started + timedelta(seconds=rng.randint(35, 55))
            self.rev = rev
            self.ip = ip
            self.az = rng.choice(azs)
            self.stopped: datetime | None = None
            self.oom = False
            self.plateau = rng.uniform(1160, 1330)

        def mem(self, t: datetime) -> float:
            # heap grows as the search cache fills, faster under load
            minutes = (t - self.started).total_seconds() / 60
            grown = 240 + minutes * 52 * rps(t) / base_rps
            return min(self.plateau, grown) + rng.uniform(-15, 15)

    def new_ip() -> str:
        return f"10.{second}.{rng.randint(32, 34)}.{rng.randint(5, 250)}"

    tasks: list[Task] = []
    for _ in range(desired):
        tk = Task(start - timedelta(hours=rng.randint(20, 70)), old_rev, new_ip())
        tasks.append(tk)
    svc_events: list[tuple[datetime, str]] = []

    def ev(t: datetime, msg: str) -> None:
        svc_events.append((t, msg))

    # rolling deployment: 100% min healthy, 200% max
    olds = list(tasks)
    for i in range(desired):
        s = deploy_at + timedelta(seconds=rng.randint(25, 70) + (i // 3) * rng.randint(70, 100))
        tasks.append(Task(s, new_rev, new_ip()))
    new_tasks = tasks[desired:]
    drain = [new_tasks[i].healthy + timedelta(seconds=rng.randint(5, 40)) for i in range(desired)]
    for i, old in enumerate(olds):
        old.stopped = drain[i]
    for i in range(0, desired, 3):
        batch = new_tasks[i : i + 3]
        ev(
            batch[0].started - timedelta(seconds=2),
            f"(service {service}) has started {len(batch)} tasks: {' '.join(f'(task {b.id})' for b in batch)}.",
        )
        ev(
            max(b.healthy for b in batch) - timedelta(seconds=5),
            f"(service {service}) registered {len(batch)} targets in (target-group {tg_arn})",
        )
        ev(
            drain[i] - timedelta(seconds=1),
            f"(service {service}) has begun draining connections on {len(batch)} tasks.",
        )
        ev(
            drain[i] - timedelta(seconds=1),
            f"(service {service}) deregistered {len(batch)} targets in (target-group {tg_arn})",
        )
        stop_at = max(drain[i : i + 3]) + timedelta(seconds=300)
        ev(
            stop_at,
            f"(service {service}) has stopped {len(batch)} running tasks: {' '.join(f'(task {o.id})' for o in olds[i : i + 3])}.",
        )
        for o in olds[i : i + 3]:
            o.stopped = stop_at  # deregistration delay 300 s, then the task stops
    completed_at = max(o.stopped for o in olds if o.stopped) + timedelta(seconds=rng.randint(20, 60))
    ev(completed_at, f"(service {service}) deployment {deploy_id_new} deployment completed.")
    ev(completed_at + timedelta(seconds=1), f"(service {service}) has reached a steady state.")

    # OOM kills and replacements
    t = deploy_at
    while t <= end_sim:
        for tk in [x for x in tasks if x.rev == new_rev and x.stopped is None and x.started <= t]:
            if tk.mem(t) >= limit_new + rng.uniform(0, 20):
                tk.stopped = t + timedelta(seconds=rng.uniform(0, 59))
                tk.oom = True
                rep = Task(tk.stopped + timedelta(seconds=rng.randint(28, 75)), new_rev, new_ip())
                tasks.append(rep)
                ev(
                    tk.stopped + timedelta(seconds=rng.randint(3, 9)),
                    f"(service {service}) deregistered 1 targets in (target-group {tg_arn})",
                )
                ev(
                    rep.started - timedelta(seconds=2),
                    f"(service {service}) has started 1 tasks: (task {rep.id}).",
                )
                ev(
                    rep.healthy - timedelta(seconds=4),
                    f"(service {service}) registered 1 targets in (target-group {tg_arn})",
                )
        t += MINUTE

    def running(at: datetime) -> list[Task]:
        return [x for x in tasks if x.started <= at and (x.stopped is None or x.stopped > at)]

    def in_service(at: datetime) -> list[Task]:
        return [
            x
            for x in running(at)
            if x.healthy <= at
            and not (x.rev == old_rev and x.stopped and x.stopped - timedelta(seconds=300) <= at)
        ]

    # --- metrics -----------------------------------------------------------------------------------------
    alb, ecs_ns, ci = "AWS/ApplicationELB", "AWS/ECS", "ECS/ContainerInsights"
    svc_dims = {"ClusterName": cluster, "ServiceName": service}
    times = grid(start, near, end_sim)
    kills_by_min: dict[datetime, int] = {}
    for x in tasks:
        if x.oom and x.stopped:
            m = floor_minute(x.stopped)
            kills_by_min[m] = kills_by_min.get(m, 0) + 1
    for t, step in times:
        live = in_service(t + timedelta(seconds=30))
        n = kit.poisson(rps(t) * step)
        kills = sum(kills_by_min.get(t + timedelta(minutes=i), 0) for i in range(step // 60))
        e502 = sum(kit.poisson(rps(t) / max(1, len(live)) * rng.uniform(6, 14)) for _ in range(kills))
        e502 += kit.poisson(0.02 * step / 60)
        e504 = kit.poisson(0.01 * step / 60)
        ok = n - e502 - e504
        kit.put(alb, "RequestCount", lbd, t, "Count", n)
        kit.put(alb, "RequestCount", tgd, t, "Count", n)
        kit.put(alb, "HTTPCode_Target_2XX_Count", tgd, t, "Count", ok)
        kit.put(alb, "HTTPCode_Target_2XX_Count", lbd, t, "Count", ok)
        kit.put(alb, "HTTPCode_ELB_502_Count", lbd, t, "Count", e502 or None)
        kit.put(alb, "HTTPCode_ELB_504_Count", lbd, t, "Count", e504 or None)
        kit.put(alb, "HTTPCode_ELB_5XX_Count", lbd, t, "Count", (e502 + e504) or None)
        k4 = kit.poisson(n * 0.006)
        kit.put(alb, "HTTPCode_Target_4XX_Count", tgd, t, "Count", k4 or None)
        kit.put(alb, "HTTPCode_Target_4XX_Count", lbd, t, "Count", k4 or None)
        v, c = kit.latency(kit.jitter(0.041, 0.04), kit.jitter(0.29, 0.08), ok)
        kit.put_dist(alb, "TargetResponseTime", tgd, t, "Seconds", v, c)
        kit.put_dist(alb, "TargetResponseTime", lbd, t, "Seconds", v, c)
        healthy_now = len(
            [
                x
                for x in in_service(t + timedelta(seconds=45))
                if x.rev == new_rev or x.stopped is None or x.stopped > t + timedelta(seconds=300)
            ]
        )
        healthy_now = min(healthy_now, len(in_service(t + timedelta(seconds=45))))
        kit.put(alb, "HealthyHostCount", tgd, t, "Count", len(in_service(t + timedelta(seconds=45))))
        kit.put(alb, "UnHealthyHostCount", tgd, t, "Count", 1 if kills and rng.random() < 0.4 else 0)
        kit.put(alb, "TargetConnectionErrorCount", lbd, t, "Count", kit.poisson(kills * 4) or None)
        # ECS service utilisation relative to the task size
        run = running(t + timedelta(seconds=30))
        mems = [(x.mem(t), 2048 if x.rev == old_rev else 1024) for x in run]
        if mems:
            pct = [100 * u / cap for u, cap in mems]
            kit.records["metrics"].append(
                {
                    "namespace": ecs_ns,
                    "metric": "MemoryUtilization",
                    "dimensions": svc_dims,
                    "timestamp": iso(t),
                    "unit": "Percent",
                    "statistic_values": {
                        "SampleCount": float(len(pct)),
                        "Sum": round(sum(pct), 3),
                        "Minimum": round(min(pct), 3),
                        "Maximum": round(max(pct), 3),
                    },
                }
            )
            cpu_each = [
                rps(t) / len(run) * (0.55 if cap == 2048 else 1.1) * rng.uniform(0.85, 1.15)
                for _, cap in mems
            ]
            kit.records["metrics"].append(
                {
                    "namespace": ecs_ns,
                    "metric": "CPUUtilization",
                    "dimensions": svc_dims,
                    "timestamp": iso(t),
                    "unit": "Percent",
                    "statistic_values": {
                        "SampleCount": float(len(cpu_each)),
                        "Sum": round(sum(cpu_each), 3),
                        "Minimum": round(min(cpu_each), 3),
                        "Maximum": round(max(cpu_each), 3),
                    },
                }
            )
            kit.put(ci, "MemoryUtilized", svc_dims, t, "Megabytes", round(sum(u for u, _ in mems)))
            kit.put(ci, "MemoryReserved", svc_dims, t, "Megabytes", sum(cap for _, cap in mems))
            kit.put(
                ci, "CpuReserved", svc_dims, t, "None", sum(1024 if cap == 2048 else 512 for _, cap in mems)
            )
        kit.put(ci, "RunningTaskCount", svc_dims, t, "Count", len(run))
        kit.put(ci, "DesiredTaskCount", svc_dims, t, "Count", desired)
        kit.put(
            ci,
            "PendingTaskCount",
            svc_dims,
            t,
            "Count",
            len(
                [
                    x
                    for x in tasks
                    if x.stopped and x.oom and x.stopped <= t < x.stopped + timedelta(seconds=50)
                ]
            ),
        )
        kit.put(ci, "DeploymentCount", svc_dims, t, "Count", 2 if deploy_at <= t < completed_at else 1)
    # an unrelated service in the same cluster carries on
    idx_dims = {"ClusterName": cluster, "ServiceName": "catalog-indexer"}
    idx_at = onset - timedelta(minutes=12, seconds=rng.randint(0, 50))
    for t, _step in times:
        n_idx = 2 if t < idx_at + timedelta(minutes=1) else 3
        pcts = [round(kit.jitter(48, 0.03), 3) for _ in range(n_idx)]
        kit.records["metrics"].append(
            {
                "namespace": ecs_ns,
                "metric": "MemoryUtilization",
                "dimensions": idx_dims,
                "timestamp": iso(t),
                "unit": "Percent",
                "statistic_values": {
                    "SampleCount": float(n_idx),
                    "Sum": round(sum(pcts), 3),
                    "Minimum": min(pcts),
                    "Maximum": max(pcts),
                },
            }
        )
        kit.put(ci, "RunningTaskCount", idx_dims, t, "Count", n_idx)

    # --- logs -----------------------------------------------------------------------------------------
    host = {x.id: f"ip-{x.ip.replace('.', '-')}.{kit.region}.compute.internal" for x in tasks}
    routes = ["/v1/search", "/v1/search", "/v1/search", "/v1/suggest", "/v1/facets", "/v1/products/{id}"]
    for x in tasks:
        stream = f"ecs/{service}/{x.id}"
        lo = max(x.started, start)
        hi = min(x.stopped or end_sim, end_sim)
        if x.started >= start:
            for off, msg in (
                (1.2, {"level": 30, "msg": "loading configuration", "env": "production"}),
                (2.9, {"level": 30, "msg": "opensearch client ready", "nodes": 3}),
                (3.4, {"level": 30, "msg": "Server listening at http://0.0.0.0:8080"}),
            ):
                at = x.started + timedelta(seconds=off)
                kit.log(
                    log_grp,
                    stream,
                    at,
                    json.dumps(
                        {
                            "level": msg["level"],
                            "time": ms(at),
                            "pid": 1,
                            "hostname": host[x.id],
                            **{k: v for k, v in msg.items() if k != "level"},
                        },
                        separators=(",", ":"),
                    ),
                )
        t = lo
        while t < hi:
            t += timedelta(seconds=rng.uniform(8, 26))
            if t >= hi:
                break
            route = rng.choice(routes).replace("{id}", str(rng.randint(100000, 999999)))
            rt = round(kit.jitter(38, 0.5), 3)
            kit.log(
                log_grp,
                stream,
                t,
                json.dumps(
                    {
                        "level": 30,
                        "time": ms(t),
                        "pid": 1,
                        "hostname": host[x.id],
                        "reqId": f"req-{rng.randint(1, 99999):x}",
                        "res": {"statusCode": 200},
                        "responseTime": max(2.1, rt),
                        "url": route,
                        "msg": "request completed",
                    },
                    separators=(",", ":"),
                ),
            )
            if rng.random() < 0.008:
                kit.log(
                    log_grp,
                    stream,
                    t + timedelta(milliseconds=4),
                    json.dumps(
                        {
                            "level": 40,
                            "time": ms(t) + 4,
                            "pid": 1,
                            "hostname": host[x.id],
                            "msg": "opensearch query slow",
                            "index": "products-v7",
                            "tookMs": rng.randint(900, 2500),
                        },
                        separators=(",", ":"),
                    ),
                )
        # Node prints nothing when the kernel kills it; the last lines are ordinary requests

    # --- ECS resources and events --------------------------------------------------------------------------
    for at, text in sorted(svc_events):
        if start <= at:
            kit.event(
                "ecs",
                {
                    "service_arn": service_arn,
                    "event": {"id": kit.uuid(), "createdAt": iso(at), "message": text},
                },
            )

    def task_item(x: Task, now: datetime) -> Json:
        stopped = x.stopped is not None and x.stopped <= now
        c: Json = {
            "containerArn": kit.arn("ecs", f"container/{cluster}/{x.id}/{kit.uuid()}"),
            "taskArn": kit.arn("ecs", f"task/{cluster}/{x.id}"),
            "name": service,
            "image": image,
            "imageDigest": digest,
            "runtimeId": f"{x.id}-{rng.randint(1000000000, 9999999999)}",
            "lastStatus": "STOPPED" if stopped else "RUNNING",
            "networkInterfaces": [{"attachmentId": kit.uuid(), "privateIpv4Address": x.ip}],
            "healthStatus": "UNKNOWN" if stopped else "HEALTHY",
            "cpu": "0",
            "memory": str(limit_old if x.rev == old_rev else limit_new),
        }
        if stopped and x.oom:
            c["exitCode"] = 137
            c["reason"] = "OutOfMemoryError: Container killed due to memory usage"
        item: Json = {
            "attachments": [
                {
                    "id": kit.uuid(),
                    "type": "ElasticNetworkInterface",
                    "status": "DELETED" if stopped else "ATTACHED",
                    "details": [
                        {"name": "subnetId", "value": subnets[azs.index(x.az)]},
                        {"name": "networkInterfaceId", "value": kit.ec2_id("eni")},
                        {"name": "privateIPv4Address", "value": x.ip},
                    ],
                }
            ],
            "attributes": [{"name": "ecs.cpu-architecture", "value": "arm64"}],
            "availabilityZone": x.az,
            "clusterArn": cluster_arn,
            "connectivity": "CONNECTED",
            "connectivityAt": iso(x.started - timedelta(seconds=20)),
            "containers": [c],
            "cpu": "1024" if x.rev == old_rev else "512",
            "createdAt": iso(x.started - timedelta(seconds=25)),
            "desiredStatus": "STOPPED" if stopped else "RUNNING",
            "enableExecuteCommand": False,
            "group": f"service:{service}",
            "healthStatus": "UNKNOWN" if stopped else "HEALTHY",
            "lastStatus": "STOPPED" if stopped else "RUNNING",
            "launchType": "FARGATE",
            "memory": "2048" if x.rev == old_rev else "1024",
            "overrides": {
                "containerOverrides": [{"name": service}, {"name": "log-router"}],
                "inferenceAcceleratorOverrides": [],
            },
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "pullStartedAt": iso(x.started - timedelta(seconds=14)),
            "pullStoppedAt": iso(x.started - timedelta(seconds=6)),
            "startedAt": iso(x.started),
            "startedBy": deploy_id_new if x.rev == new_rev else deploy_id_old,
            "tags": [],
            "taskArn": kit.arn("ecs", f"task/{cluster}/{x.id}"),
            "taskDefinitionArn": td_old if x.rev == old_rev else td_new,
            "version": 4 if stopped else 2,
            "ephemeralStorage": {"sizeInGiB": 20},
            "fargateEphemeralStorage": {"sizeInGiB": 20},
        }
        if stopped and x.stopped:
            item["executionStoppedAt"] = iso(x.stopped)
            item["stoppingAt"] = iso(x.stopped + timedelta(seconds=1))
            item["stoppedAt"] = iso(x.stopped + timedelta(seconds=rng.randint(20, 40)))
            item["stopCode"] = "EssentialContainerExited" if x.oom else "ServiceSchedulerInitiated"
            item["stoppedReason"] = (
                "Essential container in task exited"
                if x.oom
                else "Scaling activity initiated by (deployment ecs-svc)"
            )
            if not x.oom:
                item["stoppedReason"] = f"Scaling activity initiated by (deployment {deploy_id_new})"
        return item

    # the page: 5xx alarm
    ops_topic = kit.arn("sns", "catalog-oncall")
    changes = kit.alarm(
        "catalog-alb-5xx",
        description="catalog-prod-alb: ELB 5xx above 25 a minute in 2 of 5 minutes",
        ns=alb,
        metric="HTTPCode_ELB_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=60,
        evaluation_periods=5,
        datapoints=2,
        threshold=25.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        start=start,
        now=end_sim,
        actions=[ops_topic],
        configured=created + timedelta(days=10),
        evaluate_from=near,
    )
    fired = next(c for c in changes if c[2] == "ALARM")
    now = floor_minute(fired[0] + timedelta(minutes=rng.randint(22, 32))) + timedelta(
        seconds=rng.randint(0, 59)
    )
    now = max(now, onset + timedelta(minutes=35))
    kit.records["alarms"].clear()
    kit.records["alarm_history"].clear()
    common: Json = {"start": start, "now": now, "actions": [ops_topic], "evaluate_from": near}
    changes = kit.alarm(
        "catalog-alb-5xx",
        description="catalog-prod-alb: ELB 5xx above 25 a minute in 2 of 5 minutes",
        ns=alb,
        metric="HTTPCode_ELB_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=60,
        evaluation_periods=5,
        datapoints=2,
        threshold=25.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        configured=created + timedelta(days=10),
        **common,
    )
    fired = next(c for c in changes if c[2] == "ALARM")
    kit.alarm(
        "catalog-search-api-cpu-high",
        description="catalog-search-api CPU above 80% for 10 minutes",
        ns=ecs_ns,
        metric="CPUUtilization",
        dims=svc_dims,
        stat="Average",
        period=300,
        evaluation_periods=2,
        datapoints=2,
        threshold=80.0,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        configured=created + timedelta(days=10),
        **common,
    )
    kit.alarm(
        "catalog-search-api-p99",
        description="catalog search p99 above 1.5 s",
        ns=alb,
        metric="TargetResponseTime",
        dims=tgd,
        stat="p99",
        period=60,
        evaluation_periods=5,
        datapoints=5,
        threshold=1.5,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        configured=created + timedelta(days=10),
        **common,
    )
    kit.alarm(
        "catalog-search-api-healthy-hosts",
        description="fewer than 3 healthy search targets",
        ns=alb,
        metric="HealthyHostCount",
        dims=tgd,
        stat="Minimum",
        period=60,
        evaluation_periods=3,
        datapoints=3,
        threshold=3.0,
        comparison="LessThanThreshold",
        treat_missing="breaching",
        configured=created + timedelta(days=10),
        **common,
    )

    for x in tasks:
        if x.started <= now and (x.stopped is None or x.stopped > now - timedelta(hours=1)):
            kit.resource("ecs", "Task", task_item(x, now))
    live_now = running(now)
    recent = [(at, m) for at, m in sorted(svc_events) if at <= now][-12:]
    kit.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": len(live_now) + 3,
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "statistics": [],
            "tags": [{"key": "team", "value": "catalog"}],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )
    kit.resource(
        "ecs",
        "Service",
        {
            "serviceArn": service_arn,
            "serviceName": service,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": service, "containerPort": 8080}],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": len(live_now),
            "pendingCount": desired - len(live_now) if len(live_now) < desired else 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": td_new,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": deploy_id_new,
                    "status": "PRIMARY",
                    "taskDefinition": td_new,
                    "desiredCount": desired,
                    "pendingCount": desired - len(live_now) if len(live_now) < desired else 0,
                    "runningCount": len(live_now),
                    "failedTasks": 0,
                    "createdAt": iso(deploy_at),
                    "updatedAt": iso(completed_at),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": subnets,
                            "securityGroups": [task_sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment " + deploy_id_new + " completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{kit.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [{"id": kit.uuid(), "createdAt": iso(at), "message": m} for at, m in reversed(recent)],
            "createdAt": iso(created),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [task_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{kit.account}:role/github-actions-catalog",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    kit.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randint(100000000, 999999999)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z215JYRZR1TBD5",
            "CreatedTime": iso(created),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": kit.ec2_id("subnet")} for az in azs],
            "SecurityGroups": [kit.ec2_id("sg")],
            "IpAddressType": "ipv4",
        },
    )
    kit.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 2,
            "HealthCheckPath": "/health",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    # target health timeline
    for x in tasks:
        if (x.stopped and x.stopped < start) or x.started > now:
            continue
        tgt = {"Id": x.ip, "Port": 8080, "AvailabilityZone": x.az}
        pts: list[tuple[datetime, Json]] = []
        if x.started >= start:
            pts.append(
                (
                    x.started + timedelta(seconds=5),
                    {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                )
            )
        pts.append((max(x.healthy, start), {"State": "healthy"}))
        if x.stopped:
            if x.oom:
                pts.append(
                    (
                        x.stopped + timedelta(seconds=rng.randint(3, 9)),
                        {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                    )
                )
                pts.append(
                    (
                        x.stopped + timedelta(seconds=300),
                        {
                            "State": "unused",
                            "Reason": "Target.NotRegistered",
                            "Description": "Target is not registered to the target group",
                        },
                    )
                )
            else:
                pts.append(
                    (
                        x.stopped - timedelta(seconds=300),
                        {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                    )
                )
                pts.append(
                    (
                        x.stopped,
                        {
                            "State": "unused",
                            "Reason": "Target.NotRegistered",
                            "Description": "Target is not registered to the target group",
                        },
                    )
                )
        for at, h in pts:
            if at <= now:
                kit.event(
                    "target_health",
                    {"target_group_arn": tg_arn, "target": tgt, "health": h, "timestamp": iso(at)},
                )
    log_group(kit, log_grp, created, 14, rng.randint(9_000_000_000, 30_000_000_000))
    kit.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/{service}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 6,
            "MaxCapacity": 18,
            "RoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(created + timedelta(days=2)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": kit.arn("application-autoscaling", f"scalable-target/{kit.hexs(32)}"),
        },
    )

    # --- CloudTrail ------------------------------------------------------------------------------------
    gha = role_identity(
        kit,
        "github-actions-catalog",
        "GitHubActions",
        register_at - timedelta(minutes=3),
        oidc="token.actions.githubusercontent.com",
    )
    gha_ip = f"4.{rng.randint(150, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    tf_agent = TERRAFORM.format(api="ecs#1.41.7")
    culprit_reg = kit.trail(
        register_at,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {
            "family": service,
            "taskRoleArn": task_role["Arn"],
            "executionRoleArn": exec_role["Arn"],
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": service,
                    "image": image,
                    "cpu": 0,
                    "memory": limit_new,
                    "portMappings": [
                        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "name": "http"}
                    ],
                    "essential": True,
                    "environment": [
                        {"name": "NODE_ENV", "value": "production"},
                        {"name": "NODE_OPTIONS", "value": "--max-old-space-size=1536"},
                        {"name": "SEARCH_CACHE_MAX_ITEMS", "value": "400000"},
                        {"name": "OPENSEARCH_URL", "value": "HIDDEN_DUE_TO_SECURITY_REASONS"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": log_grp,
                            "awslogs-region": kit.region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                },
                {
                    "name": "log-router",
                    "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2",
                    "cpu": 0,
                    "memory": 128,
                    "essential": False,
                    "user": "0",
                    "firelensConfiguration": {"type": "fluentbit"},
                },
            ],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_new,
                "family": service,
                "revision": new_rev,
                "status": "ACTIVE",
                "cpu": "512",
                "memory": "1024",
                "registeredAt": java_like(register_at),
                "registeredBy": gha["arn"],
            }
        },
        read_only=False,
        ip=gha_ip,
        agent=tf_agent,
        version="1.09",
    )
    del culprit_reg
    culprit = kit.trail(
        deploy_at,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {"cluster": cluster, "service": service, "taskDefinition": td_new, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": service_arn,
                "serviceName": service,
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "desiredCount": desired,
                "runningCount": desired,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "taskDefinition": td_new,
                "deployments": [
                    {
                        "id": deploy_id_new,
                        "status": "PRIMARY",
                        "taskDefinition": td_new,
                        "desiredCount": 0,
                        "rolloutState": "IN_PROGRESS",
                    },
                    {
                        "id": deploy_id_old,
                        "status": "ACTIVE",
                        "taskDefinition": td_old,
                        "desiredCount": desired,
                        "rolloutState": "COMPLETED",
                    },
                ],
            }
        },
        read_only=False,
        ip=gha_ip,
        agent=tf_agent,
        version="1.09",
    )
    gha_reads: list[tuple[str, Json]] = [
        ("DescribeTaskDefinition", {"taskDefinition": f"{service}:{old_rev}"}),
        ("DescribeServices", {"cluster": cluster, "services": [service]}),
    ]
    for i, (name, params) in enumerate(gha_reads):
        kit.trail(
            register_at - timedelta(seconds=40 - 5 * i),
            "ecs.amazonaws.com",
            name,
            gha,
            params,
            None,
            read_only=True,
            ip=gha_ip,
            agent=tf_agent,
        )
    t = deploy_at + timedelta(seconds=20)
    while t < completed_at:
        kit.trail(
            t,
            "ecs.amazonaws.com",
            "DescribeServices",
            gha,
            {"cluster": cluster, "services": [service]},
            None,
            read_only=True,
            ip=gha_ip,
            agent=tf_agent,
        )
        t += timedelta(seconds=rng.randint(50, 70))
    # innocent: a human scales the indexer, another edits a dashboard
    human = sso_identity(
        kit,
        f"AWSReservedSSO_CatalogEngineer_{kit.hexs(16)}",
        other,
        onset - timedelta(minutes=40),
        kit.region,
    )
    hip = kit.public_ip()
    kit.trail(
        idx_at,
        "ecs.amazonaws.com",
        "UpdateService",
        human,
        {"cluster": cluster, "service": "catalog-indexer", "desiredCount": 3},
        {
            "service": {
                "serviceArn": kit.arn("ecs", f"service/{cluster}/catalog-indexer"),
                "serviceName": "catalog-indexer",
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
        read_only=False,
        ip=hip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    dash_at = onset + timedelta(minutes=rng.randint(4, 14), seconds=rng.randint(0, 59))
    kit.trail(
        dash_at,
        "monitoring.amazonaws.com",
        "PutDashboard",
        human,
        {"dashboardName": "catalog-indexer", "dashboardBody": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"dashboardValidationMessages": []},
        read_only=False,
        ip=hip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    kit.trail(
        onset - timedelta(minutes=rng.randint(20, 28)),
        "ecr.amazonaws.com",
        "PutImage",
        role_identity(
            kit,
            "github-actions-catalog",
            "GitHubActions",
            onset - timedelta(minutes=35),
            oidc="token.actions.githubusercontent.com",
        ),
        {"repositoryName": "catalog-indexer", "imageTag": kit.hexs(7), "registryId": kit.account},
        {
            "image": {
                "registryId": kit.account,
                "repositoryName": "catalog-indexer",
                "imageId": {"imageDigest": "sha256:" + kit.hexs(64), "imageTag": kit.hexs(7)},
            }
        },
        read_only=False,
        ip=gha_ip,
        agent="docker/24.0.7 go/go1.20.10 git-commit/311b9ff kernel/6.5.0-1017-azure os/linux arch/amd64 UpstreamClient(Docker-Client/24.0.7 \\(linux\\))",
    )
    # routine: task role credentials, grafana, on-call
    t = start + timedelta(seconds=rng.randint(60, 900))
    graf = role_identity(kit, "grafana-cloudwatch-read", "grafana", start)
    while t < now:
        kit.trail(
            t,
            "monitoring.amazonaws.com",
            "GetMetricData",
            graf,
            {"startTime": iso(t - timedelta(hours=6)), "endTime": iso(t)},
            None,
            read_only=True,
            ip="18.156.44.9",
            agent=GRAFANA,
        )
        t += timedelta(seconds=rng.randint(1500, 2700))
    for x in tasks:
        if start <= x.started <= now:
            kit.service_assume_role(
                x.started - timedelta(seconds=rng.randint(8, 20)),
                "ecs-tasks.amazonaws.com",
                task_role["Arn"],
                x.id,
            )
    oc = sso_identity(
        kit,
        f"AWSReservedSSO_CatalogEngineer_{kit.hexs(16)}",
        oncall,
        fired[0] + timedelta(minutes=4),
        kit.region,
    )
    t = fired[0] + timedelta(minutes=rng.randint(5, 8))
    oncall_reads: list[tuple[str, Json]] = [
        ("DescribeServices", {"cluster": cluster, "services": [service]}),
        ("ListTasks", {"cluster": cluster, "serviceName": service, "desiredStatus": "STOPPED"}),
        (
            "DescribeTasks",
            {
                "cluster": cluster,
                "tasks": [x.id for x in tasks if x.oom and x.stopped and x.stopped < t][-3:],
            },
        ),
    ]
    for i, (name, params) in enumerate(oncall_reads):
        kit.trail(
            t + timedelta(seconds=30 * i + rng.randint(0, 9)),
            "ecs.amazonaws.com",
            name,
            oc,
            params,
            None,
            read_only=True,
            ip=kit.public_ip(),
            agent=CONSOLE_AGENT,
            console=True,
        )

    alarm_event = kit.alarm_event("catalog-alb-5xx", fired)
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": service_arn,
            "category": "change",
            "failure_mode": "task-memory-limit-too-low",
            "event_id": culprit["eventID"],
        },
        "also_accept": [service, td_new, f"{service}:{new_rev}"],
        "actions": ["rollback"],
        "chain": [
            f"UpdateService deployed {service}:{new_rev}, which halves task memory (2048 to 1024 MiB) and the container hard limit.",
            "Under load the Node process grows past the limit; tasks are OOM-killed (exit 137) and replaced again and again.",
            f"Each kill resets in-flight connections and leaves {tg_name} a target short while the replacement starts.",
            f"{lb_name} serves 502s; catalog-alb-5xx goes to ALARM.",
        ],
    }
    return kit.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={
            "question": "Search pages are intermittently failing with 502s and the search tasks keep getting replaced. What's wrong?",
            "alarm_event": alarm_event,
        },
        truth=truth,
    )


def java_like(t: datetime) -> str:
    return t.strftime("%b %d, %Y, %I:%M:%S %p").replace(" 0", " ")
