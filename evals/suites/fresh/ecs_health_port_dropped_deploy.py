"""A new checkout-api task definition folds the Spring management port (8081) into the main port: the
container no longer maps or listens on 8081, but the target group still health-checks port 8081. Every
new task fails ELB health checks and is replaced; the deployment (no circuit breaker, minimum healthy
50%) never finishes, and the three old tasks left carry all the traffic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh._kit_i import Kit, diurnal, iso, minutes, security_group, tcp_from

NAME = "ecs-health-port-dropped-deploy"
TITLE = "checkout-api deploy stuck, latency up"
SUMMARY = (
    "A task definition revision drops the 8081 management port the target group health-checks; new ECS tasks "
    "fail health checks in a loop, the deployment stalls at half capacity and latency climbs."
)


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region=["ap-southeast-2", "eu-west-1", "us-east-1"][seed % 3])
    rng = kit.rng
    zone, tz_off = {
        "ap-southeast-2": ("Australia/Sydney", 10),
        "eu-west-1": ("Europe/Dublin", 1),
        "us-east-1": ("America/New_York", -4),
    }[kit.region]
    brand = rng.choice(["basketry", "cartwheel", "shopfront"])
    cluster, svc, family = "prod-core", "checkout-api", "checkout-api"
    rev_old = rng.randint(40, 90)
    rev_new = rev_old + 1
    desired = 6
    day = datetime(2024, 6, 3, tzinfo=UTC) + timedelta(days=rng.randint(0, 3) + 7 * rng.randint(0, 12))
    onset = day + timedelta(
        hours=(10 + rng.randint(0, 5) - tz_off) % 24, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
    )
    start = (onset - timedelta(hours=3, minutes=rng.randint(10, 50))).replace(second=0)
    now = (onset + timedelta(minutes=rng.randint(40, 55))).replace(second=0)
    azs = [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"]

    vpc = kit.rid("vpc")
    subnets = [kit.rid("subnet") for _ in azs]
    alb_sg, task_sg = kit.rid("sg"), kit.rid("sg")
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    svc_arn = kit.arn("ecs", f"service/{cluster}/{svc}")
    td_old = kit.arn("ecs", f"task-definition/{family}:{rev_old}")
    td_new = kit.arn("ecs", f"task-definition/{family}:{rev_new}")
    lb_name, lb_hex = f"{brand}-web", kit.hex(16)
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    tg_name, tg_hex = "checkout-api-ip", kit.hex(16)
    tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    lbd, tgd = f"app/{lb_name}/{lb_hex}", f"targetgroup/{tg_name}/{tg_hex}"
    cart_tg_name, cart_hex = "cart-api-ip", kit.hex(16)
    cart_tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{cart_tg_name}/{cart_hex}")
    ecr = f"{kit.account}.dkr.ecr.{kit.region}.amazonaws.com/{svc}"
    tag_old, tag_new = f"{kit.hex(7)}", f"{kit.hex(7)}"
    exec_role = f"arn:aws:iam::{kit.account}:role/ecsTaskExecutionRole"
    task_role = f"arn:aws:iam::{kit.account}:role/{svc}-task"

    def container_def(new: bool) -> dict[str, Any]:
        env = [
            {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
            {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75 -XX:+UseG1GC"},
            {"name": "SERVER_PORT", "value": "8080"},
        ]
        ports = [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp", "name": "http"}]
        if not new:
            env.append({"name": "MANAGEMENT_SERVER_PORT", "value": "8081"})
            ports.append({"containerPort": 8081, "hostPort": 8081, "protocol": "tcp", "name": "management"})
        env.append({"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://localhost:4317"})
        return {
            "name": svc,
            "image": f"{ecr}:{tag_new if new else tag_old}",
            "cpu": 0,
            "portMappings": ports,
            "essential": True,
            "environment": env,
            "secrets": [
                {
                    "name": "DB_PASSWORD",
                    "valueFrom": kit.arn("secretsmanager", f"secret:prod/checkout/db-{kit.upper(6)}"),
                }
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{svc}",
                    "awslogs-region": kit.region,
                    "awslogs-stream-prefix": "ecs",
                },
            },
            "stopTimeout": 30,
        }

    for rev, arn, new in ((rev_old, td_old, False), (rev_new, td_new, True)):
        kit.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": arn,
                "containerDefinitions": [container_def(new)],
                "family": family,
                "taskRoleArn": task_role,
                "executionRoleArn": exec_role,
                "networkMode": "awsvpc",
                "revision": rev,
                "volumes": [],
                "status": "ACTIVE",
                "compatibilities": ["EC2", "FARGATE"],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
                "registeredAt": iso(onset - timedelta(seconds=40) if new else start - timedelta(days=6)),
                "registeredBy": f"arn:aws:sts::{kit.account}:assumed-role/gha-ecs-deploy/GitHubActions",
            },
        )
    kit.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 31,
            "pendingTasksCount": 0,
            "activeServicesCount": 7,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randint(10**8, 10**9)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z1GM3OXH4ZPM65",
            "CreatedTime": iso(start - timedelta(days=500)),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": z, "SubnetId": s} for z, s in zip(azs, subnets, strict=True)],
            "SecurityGroups": [alb_sg],
            "IpAddressType": "ipv4",
        },
    )
    for arn, name, hc_port, path in (
        (tg_arn, tg_name, "8081", "/actuator/health/liveness"),
        (cart_tg_arn, cart_tg_name, "traffic-port", "/healthz"),
    ):
        kit.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": arn,
                "TargetGroupName": name,
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": hc_port,
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": path,
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    kit.res(
        "ec2",
        "SecurityGroup",
        security_group(kit, alb_sg, f"{brand}-web-alb", "web ALB", vpc, [tcp_from(443, cidr="0.0.0.0/0")]),
    )
    task_sg_item = security_group(kit, task_sg, f"{svc}-tasks", "checkout api tasks", vpc, [])
    task_sg_item["IpPermissions"] = [
        {
            "FromPort": 8080,
            "ToPort": 8081,
            "IpProtocol": "tcp",
            "IpRanges": [],
            "Ipv6Ranges": [],
            "PrefixListIds": [],
            "UserIdGroupPairs": [{"GroupId": alb_sg, "UserId": kit.account}],
        }
    ]
    kit.res("ec2", "SecurityGroup", task_sg_item)
    kit.res(
        "logs",
        "LogGroup",
        {
            "logGroupName": f"/ecs/{svc}",
            "creationTime": int((start - timedelta(days=500)).timestamp() * 1000),
            "retentionInDays": 14,
            "metricFilterCount": 1,
            "arn": kit.arn("logs", f"log-group:/ecs/{svc}:*"),
            "storedBytes": 9876543210,
        },
    )

    # --- the deployment timeline -------------------------------------------------------------------
    deploy_at = onset
    dep_old, dep_new = (
        f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
        f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
    )
    old_tasks = [(kit.hex(32), kit.ip("10.20"), azs[i % 3]) for i in range(desired)]
    stopped_old = old_tasks[:3]
    kept_old = old_tasks[3:]
    svc_events: list[tuple[datetime, str]] = []
    th: list[tuple[datetime, str, str, dict[str, str]]] = []  # (time, ip, az, health)
    for _tid, ip, az in old_tasks:
        th.append((start, ip, az, {"State": "healthy"}))
    t_stop = deploy_at + timedelta(seconds=rng.randint(8, 20))
    svc_events.append(
        (
            t_stop - timedelta(seconds=2),
            f"(service {svc}, taskSet {dep_old}) has begun draining connections on {len(stopped_old)} tasks.",
        )
    )
    svc_events.append(
        (t_stop, f"(service {svc}) deregistered {len(stopped_old)} targets in (target-group {tg_arn})")
    )
    for _tid, ip, az in stopped_old:
        th.append(
            (
                t_stop,
                ip,
                az,
                {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
            )
        )
    svc_events.append(
        (
            t_stop + timedelta(seconds=31),
            f"(service {svc}) has stopped {len(stopped_old)} running tasks: "
            + " ".join(f"(task {tid})" for tid, _, _ in stopped_old)
            + ".",
        )
    )
    cycle_start = t_stop + timedelta(seconds=32)
    new_tasks: list[dict[str, Any]] = []
    failed = 0
    while cycle_start < now:
        batch = [(kit.hex(32), kit.ip("10.20"), azs[rng.randint(0, 2)]) for _ in range(3)]
        svc_events.append(
            (
                cycle_start,
                f"(service {svc}) has started 3 tasks: "
                + " ".join(f"(task {tid})" for tid, _, _ in batch)
                + ".",
            )
        )
        reg = cycle_start + timedelta(seconds=rng.randint(55, 80))
        svc_events.append(
            (reg + timedelta(seconds=1), f"(service {svc}) registered 3 targets in (target-group {tg_arn})")
        )
        unhealthy = reg + timedelta(seconds=rng.randint(50, 62))
        fail = reg + timedelta(seconds=60 + 45 + rng.randint(0, 15))  # grace period, then 3 failed checks
        for tid, ip, az in batch:
            th.append(
                (
                    reg,
                    ip,
                    az,
                    {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                )
            )
            th.append(
                (
                    unhealthy,
                    ip,
                    az,
                    {
                        "State": "unhealthy",
                        "Reason": "Target.FailedHealthChecks",
                        "Description": "Health checks failed",
                    },
                )
            )
            new_tasks.append({"id": tid, "ip": ip, "az": az, "start": cycle_start, "reg": reg, "fail": fail})
        if fail > now:
            break
        svc_events.append(
            (
                fail,
                f"(service {svc}) (port 8081) is unhealthy in (target-group {tg_arn}) due to "
                "(reason Health checks failed).",
            )
        )
        svc_events.append(
            (
                fail + timedelta(seconds=1),
                f"(service {svc}, taskSet {dep_new}) has begun draining connections on 3 tasks.",
            )
        )
        svc_events.append(
            (
                fail + timedelta(seconds=1),
                f"(service {svc}) deregistered 3 targets in (target-group {tg_arn})",
            )
        )
        for _tid, ip, az in batch:
            th.append(
                (
                    fail + timedelta(seconds=1),
                    ip,
                    az,
                    {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                )
            )
        stop = fail + timedelta(seconds=rng.randint(30, 34))
        svc_events.append(
            (
                stop,
                f"(service {svc}) has stopped 3 running tasks: "
                + " ".join(f"(task {tid})" for tid, _, _ in batch)
                + ".",
            )
        )
        failed += 3
        cycle_start = stop + timedelta(seconds=rng.randint(20, 70))
    for t, msg in svc_events:
        if t <= now:
            kit.event(
                "ecs",
                {"service_arn": svc_arn, "event": {"id": kit.uuid(), "createdAt": iso(t), "message": msg}},
            )
    for t, ip, az, health in th:
        if t <= now:
            kit.event(
                "target_health",
                {
                    "target_group_arn": tg_arn,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": az},
                    "health": health,
                    "timestamp": iso(t),
                },
            )
    steady = start - timedelta(days=2)
    for t in (start + timedelta(minutes=rng.randint(20, 90)),):
        svc_events.append((t, f"(service {svc}) has reached a steady state."))
        kit.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": kit.uuid(),
                    "createdAt": iso(t),
                    "message": f"(service {svc}) has reached a steady state.",
                },
            },
        )
    live_new = [n for n in new_tasks if n["reg"] <= now and n["fail"] > now]
    kit.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": svc, "containerPort": 8080}],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": len(kept_old) + len(live_new),
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": td_new,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                "maximumPercent": 100,
                "minimumHealthyPercent": 50,
            },
            "deployments": [
                {
                    "id": dep_new,
                    "status": "PRIMARY",
                    "taskDefinition": td_new,
                    "desiredCount": desired,
                    "pendingCount": 0,
                    "runningCount": len(live_new),
                    "failedTasks": failed,
                    "createdAt": iso(deploy_at),
                    "updatedAt": iso(max(t for t, _ in svc_events if t <= now)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "IN_PROGRESS",
                    "rolloutStateReason": "ECS deployment ecs-svc in progress.",
                },
                {
                    "id": dep_old,
                    "status": "ACTIVE",
                    "taskDefinition": td_old,
                    "desiredCount": len(kept_old),
                    "pendingCount": 0,
                    "runningCount": len(kept_old),
                    "failedTasks": 0,
                    "createdAt": iso(steady),
                    "updatedAt": iso(t_stop),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                },
            ],
            "events": [],
            "createdAt": iso(start - timedelta(days=500)),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [task_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    for tid, ip, az in kept_old:
        kit.res(
            "ecs",
            "Task",
            _task(
                kit,
                cluster_arn,
                svc,
                tid,
                ip,
                az,
                td_old,
                ecr,
                tag_old,
                steady,
                dep_old,
                "RUNNING",
                "HEALTHY",
            ),
        )
    for n in live_new:
        kit.res(
            "ecs",
            "Task",
            _task(
                kit,
                cluster_arn,
                svc,
                n["id"],
                n["ip"],
                n["az"],
                td_new,
                ecr,
                tag_new,
                n["start"],
                dep_new,
                "RUNNING",
                "UNKNOWN",
            ),
        )

    # --- metrics -----------------------------------------------------------------------------------
    mins = minutes(start, now)
    base = rng.uniform(2200, 3400)
    ns = "AWS/ApplicationELB"
    tg = {"TargetGroup": tgd, "LoadBalancer": lbd}
    req: dict[datetime, float | None] = {}
    healthy: dict[datetime, float | None] = {}
    unh: dict[datetime, float | None] = {}
    t5: dict[datetime, float | None] = {}
    lat: dict[datetime, Any] = {}
    cpu: dict[datetime, float | None] = {}
    mem: dict[datetime, float | None] = {}
    running: dict[datetime, float | None] = {}
    for t in mins:
        rpm = kit.noise(base * diurnal(t, tz_off, 0.3), 0.05)
        h = desired if t < t_stop else len(kept_old)
        u = sum(1 for x in new_tasks if x["reg"] + timedelta(seconds=55) <= t < x["fail"])
        r = sum(
            1
            for x in new_tasks
            if x["start"] + timedelta(seconds=50) <= t < x["fail"] + timedelta(seconds=33)
        )
        load = rpm / h / (base / desired)  # per-task load relative to a normal day's peak share
        c = min(97.0, kit.noise(34 * load, 0.05))
        req[t] = round(rpm)
        healthy[t] = float(h)
        unh[t] = float(u)
        cpu[t] = (c * h + 4.0 * r) / max(1, h + r)
        mem[t] = kit.noise(58, 0.02)
        running[t] = float(h + r)
        med = 0.055 * (1 + max(0.0, (c - 55) / 12) ** 2)
        lat[t] = kit.latency(rpm, med, 0.55)
        t5[t] = float(rng.randint(0, 2) if c < 80 else rng.randint(4, 30))
    kit.emit(ns, "RequestCount", tg, "Count", req)
    kit.emit(ns, "RequestCount", {"LoadBalancer": lbd}, "Count", {t: (req[t] or 0) * 1.6 for t in mins})
    kit.emit(
        ns,
        "RequestCountPerTarget",
        {"TargetGroup": tgd},
        "Count",
        {t: (req[t] or 0) / max(1.0, healthy[t] or 1) for t in mins},
    )
    kit.emit(ns, "HealthyHostCount", tg, "Count", healthy, how="avg")
    kit.emit(ns, "UnHealthyHostCount", tg, "Count", unh, how="avg")
    kit.emit(ns, "HTTPCode_Target_5XX_Count", tg, "Count", t5, sparse=True)
    kit.emit(ns, "HTTPCode_Target_2XX_Count", tg, "Count", {t: (req[t] or 0) - (t5[t] or 0) for t in mins})
    kit.emit_dist(ns, "TargetResponseTime", tg, "Seconds", lat)
    cart = {"TargetGroup": f"targetgroup/{cart_tg_name}/{cart_hex}", "LoadBalancer": lbd}
    kit.emit(ns, "RequestCount", cart, "Count", {t: (req[t] or 0) * 0.6 for t in mins})
    kit.emit(ns, "HealthyHostCount", cart, "Count", {t: 4.0 for t in mins}, how="avg")
    kit.emit(ns, "UnHealthyHostCount", cart, "Count", {t: 0.0 for t in mins}, how="avg")
    kit.emit_dist(
        ns,
        "TargetResponseTime",
        cart,
        "Seconds",
        {t: kit.latency((req[t] or 0) * 0.6, 0.03, 0.4) for t in mins},
    )
    sd = {"ClusterName": cluster, "ServiceName": svc}
    kit.emit("AWS/ECS", "CPUUtilization", sd, "Percent", cpu, how="avg")
    kit.emit("AWS/ECS", "MemoryUtilization", sd, "Percent", mem, how="avg")
    kit.emit("ECS/ContainerInsights", "RunningTaskCount", sd, "Count", running, how="avg")
    kit.emit(
        "ECS/ContainerInsights", "DesiredTaskCount", sd, "Count", {t: float(desired) for t in mins}, how="avg"
    )
    kit.emit(
        "ECS/ContainerInsights",
        "PendingTaskCount",
        sd,
        "Count",
        {
            t: float(sum(1 for x in new_tasks if x["start"] <= t < x["start"] + timedelta(seconds=50)))
            for t in mins
        },
        how="avg",
    )
    cd = {"ClusterName": cluster, "ServiceName": "cart-api"}
    kit.emit(
        "AWS/ECS",
        "CPUUtilization",
        cd,
        "Percent",
        {t: kit.noise(22 * diurnal(t, tz_off, 0.4) + 8, 0.06) for t in mins},
        how="avg",
    )

    # --- logs --------------------------------------------------------------------------------------
    lg = f"/ecs/{svc}"

    def jlog(t: datetime, level: str, logger: str, msg: str, thread: str = "http-nio-8080-exec-1") -> str:
        return (
            '{"@timestamp":"' + t.strftime("%Y-%m-%dT%H:%M:%S.") + f'{t.microsecond // 1000:03d}Z",'
            f'"level":"{level}","thread":"{thread}","logger":"{logger}","message":"{msg}"}}'
        )

    for t in mins:
        for tid, _ip, _az in old_tasks:
            if tid in [x[0] for x in stopped_old] and t >= t_stop:
                continue
            st = f"ecs/{svc}/{tid}"
            for _ in range(rng.randint(1, 2)):
                s = t + timedelta(seconds=rng.uniform(0, 59.9))
                ms_ = int(rng.lognormvariate(4.0, 0.5) * (1.8 if t >= t_stop else 1))
                kit.log(
                    lg,
                    st,
                    s,
                    jlog(
                        s,
                        "INFO",
                        "c.b.checkout.web.RequestLogger",
                        f"{rng.choice(['POST /checkout/sessions', 'GET /checkout/sessions/{id}', 'POST /checkout/sessions/{id}/confirm', 'POST /checkout/quotes'])} "
                        f"200 {ms_}ms",
                        f"http-nio-8080-exec-{rng.randint(1, 200)}",
                    ),
                )
            if t >= t_stop and rng.random() < 0.12:
                s = t + timedelta(seconds=rng.uniform(0, 59))
                kit.log(
                    lg,
                    st,
                    s,
                    jlog(
                        s,
                        "WARN",
                        "com.zaxxer.hikari.pool.HikariPool",
                        "HikariPool-1 - Connection is not available, request timed out after 3000ms (total=20, active=20, idle=0, waiting=17)",
                        f"http-nio-8080-exec-{rng.randint(1, 200)}",
                    ),
                )
        if rng.random() < 0.02:
            tid = rng.choice(kept_old)[0]
            s = t + timedelta(seconds=rng.uniform(0, 59))
            kit.log(
                lg,
                f"ecs/{svc}/{tid}",
                s,
                jlog(
                    s,
                    "WARN",
                    "c.b.checkout.tax.TaxClient",
                    "tax quote fell back to cached rate table: upstream 429",
                    "tax-client-2",
                ),
            )
    for n in new_tasks:
        st = f"ecs/{svc}/{n['id']}"
        s = n["start"] + timedelta(seconds=rng.randint(38, 48))
        lines = [
            (
                0.0,
                "INFO",
                "c.b.checkout.CheckoutApplication",
                f"Starting CheckoutApplication v2024.{rng.randint(20, 40)}.{rng.randint(0, 9)} using Java 21.0.3 with PID 1",
                "main",
            ),
            (
                0.1,
                "INFO",
                "c.b.checkout.CheckoutApplication",
                'The following 1 profile is active: \\"prod\\"',
                "main",
            ),
            (
                6.2,
                "INFO",
                "o.s.b.w.embedded.tomcat.TomcatWebServer",
                "Tomcat initialized with port 8080 (http)",
                "main",
            ),
            (
                9.8,
                "INFO",
                "o.s.b.a.e.web.EndpointLinksResolver",
                "Exposing 3 endpoint(s) beneath base path '/actuator'",
                "main",
            ),
            (
                10.4,
                "INFO",
                "o.s.b.w.embedded.tomcat.TomcatWebServer",
                "Tomcat started on port 8080 (http) with context path '/'",
                "main",
            ),
            (
                10.5,
                "INFO",
                "c.b.checkout.CheckoutApplication",
                f"Started CheckoutApplication in {rng.uniform(10.5, 12.5):.3f} seconds (process running for {rng.uniform(11.5, 13.5):.3f})",
                "main",
            ),
        ]
        for off, level, logger, msg, thread in lines:
            tt = s + timedelta(seconds=off)
            if tt <= now:
                kit.log(lg, st, tt, jlog(tt, level, logger, msg, thread))
        if n["fail"] + timedelta(seconds=2) <= now:
            tt = n["fail"] + timedelta(seconds=2)
            kit.log(
                lg,
                st,
                tt,
                jlog(
                    tt,
                    "INFO",
                    "o.s.b.w.e.tomcat.GracefulShutdown",
                    "Commencing graceful shutdown. Waiting for active requests to complete",
                    "SpringApplicationShutdownHook",
                ),
            )
            kit.log(
                lg,
                st,
                tt + timedelta(milliseconds=40),
                jlog(
                    tt,
                    "INFO",
                    "o.s.b.w.e.tomcat.GracefulShutdown",
                    "Graceful shutdown complete",
                    "tomcat-shutdown",
                ),
            )

    # --- CloudTrail --------------------------------------------------------------------------------
    people = [
        kit.sso(f"{u}@{brand}.com", ps, start + timedelta(minutes=rng.randint(0, 90)))
        for u, ps in (("hannah.kowalski", "Developer"), ("diego.marin", "SRE"), ("chloe.tan", "Developer"))
    ]
    kit.routine_trail(start, now, 34, people)
    ci = kit.role(
        "gha-ecs-deploy",
        "GitHubActions",
        deploy_at - timedelta(minutes=6),
        web_identity="token.actions.githubusercontent.com",
    )
    ci_agent = "aws-sdk-js/2.1583.0 promise amazon-ecs-render-task-definition/v1.2.0 amazon-ecs-deploy-task-definition/v1.5.0"
    ci_ip = f"4.{rng.randint(150, 250)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    kit.ct(
        deploy_at - timedelta(minutes=4),
        ci,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        {},
        None,
        read_only=True,
        ip=ci_ip,
        agent=ci_agent,
    )
    kit.ct(
        deploy_at - timedelta(minutes=3, seconds=40),
        ci,
        "ecr.amazonaws.com",
        "PutImage",
        {"repositoryName": svc, "imageTag": tag_new, "registryId": kit.account},
        {
            "image": {
                "repositoryName": svc,
                "registryId": kit.account,
                "imageId": {"imageDigest": "sha256:" + kit.hex(64), "imageTag": tag_new},
            }
        },
        ip=ci_ip,
        agent="docker/24.0.9 go/go1.20.13 git-commit/fca702d kernel/6.5.0-1017-azure os/linux arch/amd64",
    )
    cd_new = container_def(True)
    kit.ct(
        deploy_at - timedelta(seconds=40),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": family,
            "taskRoleArn": task_role,
            "executionRoleArn": exec_role,
            "networkMode": "awsvpc",
            "containerDefinitions": [cd_new],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_new,
                "family": family,
                "revision": rev_new,
                "status": "ACTIVE",
                "containerDefinitions": [cd_new],
                "networkMode": "awsvpc",
                "cpu": "1024",
                "memory": "2048",
                "registeredAt": iso(deploy_at - timedelta(seconds=40)),
            }
        },
        ip=ci_ip,
        agent=ci_agent,
    )
    culprit = kit.ct(
        deploy_at - timedelta(seconds=2),
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": svc, "taskDefinition": td_new, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "taskDefinition": td_new,
                "desiredCount": desired,
                "status": "ACTIVE",
                "deploymentConfiguration": {
                    "maximumPercent": 100,
                    "minimumHealthyPercent": 50,
                    "deploymentCircuitBreaker": {"enable": False, "rollback": False},
                },
            }
        },
        ip=ci_ip,
        agent=ci_agent,
    )
    for k in range(6):
        kit.ct(
            deploy_at + timedelta(seconds=15 + 15 * k),
            ci,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [svc]},
            None,
            read_only=True,
            ip=ci_ip,
            agent=ci_agent,
        )
    ecs_sl = kit.service_role("AWSServiceRoleForECS", "ecs.amazonaws.com", start)
    for t, msg in svc_events:
        if "registered 3 targets" in msg and t <= now:
            kit.ct(
                t,
                ecs_sl,
                "elasticloadbalancing.amazonaws.com",
                "RegisterTargets",
                {
                    "targetGroupArn": tg_arn,
                    "targets": [{"id": kit.ip("10.20"), "port": 8080} for _ in range(3)],
                },
                None,
            )
        if "deregistered" in msg and t <= now:
            kit.ct(
                t,
                ecs_sl,
                "elasticloadbalancing.amazonaws.com",
                "DeregisterTargets",
                {
                    "targetGroupArn": tg_arn,
                    "targets": [{"id": kit.ip("10.20"), "port": 8080} for _ in range(3)],
                },
                None,
            )
    # innocent nearby changes: cart-api autoscaling tweak, an SSM param, a tag on the checkout target group
    kit.ct(
        deploy_at - timedelta(minutes=rng.randint(10, 25)),
        people[1],
        "application-autoscaling.amazonaws.com",
        "PutScalingPolicy",
        {
            "policyName": "cart-api-cpu-tt",
            "serviceNamespace": "ecs",
            "resourceId": f"service/{cluster}/cart-api",
            "scalableDimension": "ecs:service:DesiredCount",
            "policyType": "TargetTrackingScaling",
            "targetTrackingScalingPolicyConfiguration": {
                "targetValue": 55.0,
                "predefinedMetricSpecification": {"predefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "scaleOutCooldown": 60,
                "scaleInCooldown": 300,
            },
        },
        {
            "policyARN": f"arn:aws:autoscaling:{kit.region}:{kit.account}:scalingPolicy:{kit.uuid()}:resource/ecs/"
            f"service/{cluster}/cart-api:policyName/cart-api-cpu-tt",
            "alarms": [],
        },
        console=True,
    )
    kit.ct(
        deploy_at + timedelta(minutes=rng.randint(5, 20)),
        people[0],
        "elasticloadbalancing.amazonaws.com",
        "AddTags",
        {"resourceArns": [tg_arn], "tags": [{"key": "owner", "value": "team-checkout"}]},
        None,
        console=True,
    )
    kit.ct(
        deploy_at + timedelta(minutes=rng.randint(21, 30)),
        people[2],
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/checkout/prod/feature/apple-pay-express", "type": "String", "overwrite": True},
        {"version": rng.randint(2, 9), "tier": "Standard"},
        console=True,
    )

    # --- alarms ------------------------------------------------------------------------------------
    topic = kit.arn("sns", "checkout-oncall")
    kit.alarm(
        f"{svc}-unhealthy-targets",
        ns,
        "UnHealthyHostCount",
        tg,
        "Maximum",
        60,
        5,
        2,
        0.0,
        "GreaterThanThreshold",
        unh,
        start=start,
        now=now,
        actions=[topic],
        description="checkout-api has targets failing health checks",
    )
    kit.alarm(
        f"{svc}-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        sd,
        "Average",
        300,
        3,
        3,
        85.0,
        "GreaterThanThreshold",
        cpu,
        start=start,
        now=now,
        actions=[topic],
        description="checkout-api CPU",
    )
    kit.alarm(
        f"{svc}-5xx",
        ns,
        "HTTPCode_Target_5XX_Count",
        tg,
        "Sum",
        300,
        1,
        1,
        150.0,
        "GreaterThanThreshold",
        t5,
        start=start,
        now=now,
        actions=[topic],
        description="checkout-api 5xx",
    )
    kit.alarm(
        "cart-api-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        cd,
        "Average",
        300,
        3,
        3,
        85.0,
        "GreaterThanThreshold",
        {t: 30.0 for t in mins},
        start=start,
        now=now,
        description="cart-api CPU",
    )
    local = onset + timedelta(hours=tz_off)
    h12 = local.hour % 12 or 12
    trigger = {
        "question": f"the checkout-api deploy that went out around {h12}:{local.minute:02d}"
        f"{'am' if local.hour < 12 else 'pm'} still hasn't finished and checkout latency is way up. "
        "what's wrong?",
        "timezone": zone,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": td_new,
            "category": "change",
            "failure_mode": "ecs-health-check-port-mismatch",
            "event_id": culprit["eventID"],
        },
        "also_accept": [f"{family}:{rev_new}", svc, svc_arn],
        "actions": ["rollback", "reconfigure"],
        "chain": [
            f"UpdateService deployed {family}:{rev_new}, which no longer maps or serves the 8081 management port",
            f"target group {tg_name} health-checks port 8081, so every new task fails health checks",
            f"ECS keeps replacing the new tasks; with minimumHealthyPercent 50 and no circuit breaker the "
            f"deployment stalls with only {len(kept_old)} old tasks serving",
            f"the {len(kept_old)} old tasks run hot: CPU, latency and some 5xx rise on {svc}",
        ],
    }
    return kit.bundle(TITLE, start, now, trigger, truth)


def _task(
    kit: Kit,
    cluster_arn: str,
    svc: str,
    tid: str,
    ip: str,
    az: str,
    td: str,
    ecr: str,
    tag: str,
    started: datetime,
    dep: str,
    last: str,
    health: str,
) -> dict[str, Any]:
    arn = kit.arn("ecs", f"task/{cluster_arn.rsplit('/', 1)[1]}/{tid}")
    return {
        "attachments": [
            {
                "id": kit.uuid(),
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": kit.rid("subnet")},
                    {"name": "networkInterfaceId", "value": kit.rid("eni")},
                    {"name": "privateIPv4Address", "value": ip},
                ],
            }
        ],
        "availabilityZone": az,
        "clusterArn": cluster_arn,
        "connectivity": "CONNECTED",
        "connectivityAt": iso(started + timedelta(seconds=5)),
        "containers": [
            {
                "containerArn": kit.arn("ecs", f"container/{kit.uuid()}"),
                "taskArn": arn,
                "name": svc,
                "image": f"{ecr}:{tag}",
                "lastStatus": last,
                "networkInterfaces": [{"attachmentId": kit.uuid(), "privateIpv4Address": ip}],
                "healthStatus": "UNKNOWN",
                "cpu": "0",
            }
        ],
        "cpu": "1024",
        "createdAt": iso(started),
        "desiredStatus": "RUNNING",
        "group": f"service:{svc}",
        "healthStatus": health,
        "lastStatus": last,
        "launchType": "FARGATE",
        "memory": "2048",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "startedAt": iso(started + timedelta(seconds=40)),
        "startedBy": dep,
        "taskArn": arn,
        "taskDefinitionArn": td,
        "version": 3,
    }
