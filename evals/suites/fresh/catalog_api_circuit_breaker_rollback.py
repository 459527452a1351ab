"""catalog-api 5xx burst: a new image (task definition revision) needs a config value the task definition
does not give it; its deep health check fails, ECS kills the tasks and the deployment circuit breaker rolls
back, while the ALB's shallow health check let the new tasks take traffic and return 500s."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_p as k

NAME = "catalog-api-circuit-breaker-rollback"
TITLE = "catalog-api 5xx alarm flapped during the morning deploy"
SUMMARY = (
    "ECS deploy of catalog-api revision with a new image missing a required setting: container health check "
    "fails, tasks are stopped, circuit breaker rolls back; ALB served 500s from the new tasks meanwhile."
)

_REGIONS = [
    ("eu-west-2", "Europe/London", 1),
    ("eu-west-1", "Europe/Dublin", 1),
    ("eu-central-1", "Europe/Berlin", 2),
]


def _clock(dt: datetime, off: int) -> str:
    local = dt + timedelta(hours=off)
    return f"{local.hour:02d}:{local.minute:02d}"


@dataclass
class _NewTask:
    id: str
    ip: str
    az: int
    created: datetime
    running: datetime
    alb_ok: datetime
    unhealthy: datetime
    stopped: datetime


def _task_id(rng: random.Random) -> str:
    return k.hexs(rng, 32)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200000000000, 899999999999))
    region, tz, off = rng.choice(_REGIONS)
    day = k.day_in(rng, 2024, (5, 6, 7, 9))
    deploy = day + timedelta(hours=10 - off, minutes=rng.randint(5, 50), seconds=rng.randint(0, 59))
    start = k.floor_to(deploy - timedelta(hours=4, minutes=rng.randint(0, 30)), 300)
    now = deploy + timedelta(minutes=rng.randint(36, 48), seconds=rng.randint(0, 59))
    fine_from = k.floor_to(deploy - timedelta(hours=2), 300)
    org = rng.choice(["brightcart", "parcelpine", "kestrelhome"])
    domain = f"{org}.co.uk"

    net = k.network(rng, region, rng.choice([20, 72, 88]))
    alb_sg, svc_sg = k.rid(rng, "sg"), k.rid(rng, "sg")
    cluster = "retail-prod"
    service = "catalog-api"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    service_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{service}"
    old_rev = rng.randint(140, 230)
    new_rev = old_rev + 1
    td_old = f"arn:aws:ecs:{region}:{account}:task-definition/{service}:{old_rev}"
    td_new = f"arn:aws:ecs:{region}:{account}:task-definition/{service}:{new_rev}"
    minor = rng.randint(10, 30)
    old_tag, new_tag = f"2.{minor}.{rng.randint(0, 6)}", f"2.{minor + 1}.0"
    repo_uri = f"{account}.dkr.ecr.{region}.amazonaws.com/{service}"
    desired = 4

    resources: list[k.JSON] = []
    resources += k.net_resources(net, account, "retail-prod")
    resources.append(
        k.security_group(
            alb_sg, "catalog-api-alb", "catalog-api ALB", net.vpc_id, account, [(443, "0.0.0.0/0")]
        )
    )
    resources.append(
        k.security_group(
            svc_sg, "catalog-api-tasks", "catalog-api Fargate tasks", net.vpc_id, account, [(8080, alb_sg)]
        )
    )
    lb_res, lb_arn, lb_dim = k.load_balancer(
        rng, account, region, "catalog-api-prod", net, alb_sg, day - timedelta(days=500)
    )
    tg_res, tg_arn, tg_dim = k.target_group(
        rng, account, region, "catalog-api-prod-ip", net.vpc_id, lb_arn, 8080, "/ping", "ip"
    )
    resources += [
        lb_res,
        tg_res,
        k.listener(rng, lb_arn, tg_arn, f"arn:aws:acm:{region}:{account}:certificate/{k.uuid(rng)}"),
    ]
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 19,
                "pendingTasksCount": 0,
                "activeServicesCount": 6,
                "settings": [{"name": "containerInsights", "value": "enabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "tags": [{"key": "env", "value": "prod"}],
            },
        }
    )

    def taskdef(rev: int, tag: str, registered: datetime) -> k.JSON:
        env = [
            {"name": "NODE_ENV", "value": "production"},
            {"name": "PORT", "value": "8080"},
            {"name": "CATALOG_TABLE", "value": "catalog-products-prod"},
            {"name": "SEARCH_ENDPOINT", "value": f"https://search.internal.{domain}"},
            {"name": "LOG_LEVEL", "value": "info"},
        ]
        return {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{service}:{rev}",
                "family": service,
                "revision": rev,
                "taskRoleArn": f"arn:aws:iam::{account}:role/catalog-api-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "status": "ACTIVE",
                "cpu": "1024",
                "memory": "2048",
                "requiresCompatibilities": ["FARGATE"],
                "compatibilities": ["EC2", "FARGATE"],
                "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
                "registeredAt": k.iso(registered),
                "registeredBy": f"arn:aws:sts::{account}:assumed-role/gha-deploy-catalog/GitHubActions",
                "containerDefinitions": [
                    {
                        "name": service,
                        "image": f"{repo_uri}:{tag}",
                        "cpu": 0,
                        "essential": True,
                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                        "environment": env,
                        "secrets": [
                            {
                                "name": "DD_API_KEY",
                                "valueFrom": f"arn:aws:ssm:{region}:{account}:parameter/shared/datadog/api-key",
                            }
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{service}",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                        "healthCheck": {
                            "command": [
                                "CMD-SHELL",
                                "wget -q -O /dev/null http://localhost:8080/health || exit 1",
                            ],
                            "interval": 30,
                            "timeout": 5,
                            "retries": 3,
                            "startPeriod": 60,
                        },
                        "stopTimeout": 30,
                    }
                ],
            },
        }

    td_old_registered = day - timedelta(days=rng.randint(3, 9), hours=rng.randint(1, 8))
    resources.append(taskdef(old_rev, old_tag, td_old_registered))
    reg_t = deploy - timedelta(seconds=rng.randint(20, 40))
    resources.append(taskdef(new_rev, new_tag, reg_t))
    resources.append(k.log_group(account, region, f"/ecs/{service}", day - timedelta(days=500), 30))
    resources.append(k.log_group(account, region, "/ecs/search-indexer", day - timedelta(days=300), 14))
    resources.append(
        {
            "service": "ssm",
            "type": "Parameter",
            "item": {
                "Name": "/catalog/prod/search/boost-weights",
                "Type": "String",
                "Version": rng.randint(8, 30),
                "LastModifiedDate": k.iso(deploy - timedelta(minutes=rng.randint(14, 22))),
                "ARN": f"arn:aws:ssm:{region}:{account}:parameter/catalog/prod/search/boost-weights",
                "DataType": "text",
            },
        }
    )

    # --- task timeline ------------------------------------------------------------------------------------------
    old_tasks = []
    for i in range(desired):
        tid = _task_id(rng)
        az_i = i % 3
        ip = f"10.{net.cidr.split('.')[1]}.{16 * (az_i + 1) + rng.randint(0, 7)}.{rng.randint(10, 250)}"
        old_tasks.append((tid, ip, az_i, td_old_registered + timedelta(minutes=rng.randint(3, 9))))
    dep_new = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    dep_old = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    dep_rb = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    waves: list[list[_NewTask]] = []
    t0 = deploy + timedelta(seconds=rng.randint(2, 6))
    for _ in range(2):
        wave: list[_NewTask] = []
        for j in range(2):
            tid = _task_id(rng)
            az_i = rng.randrange(3)
            ip = f"10.{net.cidr.split('.')[1]}.{16 * (az_i + 1) + rng.randint(0, 7)}.{rng.randint(10, 250)}"
            running = t0 + timedelta(seconds=rng.randint(38, 58))
            healthy_alb = running + timedelta(seconds=rng.randint(35, 48))
            unhealthy = running + timedelta(seconds=60 + 90 + rng.randint(0, 12))
            wave.append(
                _NewTask(
                    tid,
                    ip,
                    az_i,
                    t0 + timedelta(seconds=j),
                    running,
                    healthy_alb,
                    unhealthy,
                    unhealthy + timedelta(seconds=rng.randint(31, 36)),
                )
            )
        waves.append(wave)
        t0 = max(w.unhealthy for w in wave) + timedelta(seconds=rng.randint(8, 20))
    new_tasks = [t for w in waves for t in w]
    cb_time = max(t.unhealthy for t in waves[1]) + timedelta(seconds=rng.randint(4, 15))
    rb_done = cb_time + timedelta(seconds=rng.randint(50, 90))

    def new_serving(tm: datetime) -> int:
        return sum(1 for t in new_tasks if t.alb_ok <= tm < t.unhealthy)

    def new_running(tm: datetime) -> int:
        return sum(1 for t in new_tasks if t.running <= tm < t.stopped)

    # --- ECS events ----------------------------------------------------------------------------------------------
    events: list[k.JSON] = []

    def ev(tm: datetime, msg: str) -> None:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": service_arn,
                    "event": {
                        "id": k.uuid(rng),
                        "createdAt": k.iso_ms(tm),
                        "message": f"(service {service}) {msg}",
                    },
                },
            }
        )

    tg_txt = f"(target-group {tg_arn})"
    ev(
        start + timedelta(minutes=rng.randint(20, 50), seconds=rng.uniform(0, 59)),
        "has reached a steady state.",
    )
    ev(
        start + timedelta(hours=2, minutes=rng.randint(0, 40), seconds=rng.uniform(0, 59)),
        "has reached a steady state.",
    )
    for wave in waves:
        ev(
            wave[0].created + timedelta(seconds=2),
            "has started 2 tasks: " + " ".join(f"(task {t.id})" for t in wave) + ".",
        )
        ev(max(t.running for t in wave) + timedelta(seconds=3), f"registered 2 targets in {tg_txt}")
        for t in wave:
            ev(t.unhealthy + timedelta(seconds=1), f"(task {t.id}) failed container health checks.")
        ev(
            max(t.unhealthy for t in wave) + timedelta(seconds=2),
            "has stopped 2 running tasks: " + " ".join(f"(task {t.id})" for t in wave) + ".",
        )
        ev(max(t.unhealthy for t in wave) + timedelta(seconds=4), f"deregistered 2 targets in {tg_txt}")
    ev(cb_time, f"(deployment {dep_new}) deployment failed: tasks failed to start.")
    ev(cb_time + timedelta(seconds=1), f"rolling back to deployment {dep_old}.")
    ev(rb_done, f"(deployment {dep_rb}) deployment completed.")
    ev(rb_done + timedelta(seconds=rng.randint(1, 5)), "has reached a steady state.")
    for _tid, ip, _, _ in old_tasks:
        events.append(k.health_point(tg_arn, ip, 8080, day - timedelta(days=2), "healthy"))
    for t in new_tasks:
        events.append(
            k.health_point(
                tg_arn,
                t.ip,
                8080,
                t.running + timedelta(seconds=3),
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
        )
        events.append(k.health_point(tg_arn, t.ip, 8080, t.alb_ok, "healthy"))
        events.append(
            k.health_point(
                tg_arn,
                t.ip,
                8080,
                t.unhealthy + timedelta(seconds=4),
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
        )
        events.append(
            k.health_point(
                tg_arn,
                t.ip,
                8080,
                t.stopped,
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
        )

    # service item and tasks as DescribeServices/DescribeTasks show them at now
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": service_arn,
                "serviceName": service,
                "clusterArn": cluster_arn,
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": service, "containerPort": 8080}
                ],
                "serviceRegistries": [],
                "status": "ACTIVE",
                "desiredCount": desired,
                "runningCount": desired,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": td_old,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 150,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": dep_rb,
                        "status": "PRIMARY",
                        "taskDefinition": td_old,
                        "desiredCount": desired,
                        "pendingCount": 0,
                        "runningCount": desired,
                        "failedTasks": 0,
                        "createdAt": k.iso_ms(cb_time + timedelta(seconds=1)),
                        "updatedAt": k.iso_ms(rb_done),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "networkConfiguration": {
                            "awsvpcConfiguration": {
                                "subnets": net.private,
                                "securityGroups": [svc_sg],
                                "assignPublicIp": "DISABLED",
                            }
                        },
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": f"ECS deployment {dep_rb} completed.",
                    }
                ],
                "roleArn": f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
                "createdAt": k.iso_ms(day - timedelta(days=500)),
                "placementConstraints": [],
                "placementStrategy": [],
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": net.private,
                        "securityGroups": [svc_sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 0,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "createdBy": f"arn:aws:iam::{account}:role/terraform-apply",
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
                "enableExecuteCommand": False,
            },
        }
    )

    def task_item(
        tid: str,
        ip: str,
        az_i: int,
        td: str,
        tag: str,
        created: datetime,
        stopped: _NewTask | None,
    ) -> k.JSON:
        item: k.JSON = {
            "attachments": [
                {
                    "id": k.uuid(rng),
                    "type": "ElasticNetworkInterface",
                    "status": "ATTACHED" if not stopped else "DELETED",
                    "details": [
                        {"name": "subnetId", "value": net.private[az_i]},
                        {"name": "networkInterfaceId", "value": k.rid(rng, "eni")},
                        {"name": "privateIPv4Address", "value": ip},
                    ],
                }
            ],
            "availabilityZone": net.azs[az_i],
            "clusterArn": cluster_arn,
            "connectivity": "CONNECTED",
            "connectivityAt": k.iso_ms(created + timedelta(seconds=8)),
            "containers": [
                {
                    "containerArn": f"arn:aws:ecs:{region}:{account}:container/{cluster}/{tid}/{k.uuid(rng)}",
                    "taskArn": f"arn:aws:ecs:{region}:{account}:task/{cluster}/{tid}",
                    "name": service,
                    "image": f"{repo_uri}:{tag}",
                    "imageDigest": "sha256:" + k.hexs(rng, 64),
                    "runtimeId": f"{tid}-{rng.randint(10**9, 4 * 10**9)}",
                    "lastStatus": "STOPPED" if stopped else "RUNNING",
                    "healthStatus": "UNHEALTHY" if stopped else "HEALTHY",
                    "cpu": "0",
                    **({"exitCode": 0} if stopped else {}),
                }
            ],
            "cpu": "1024",
            "memory": "2048",
            "createdAt": k.iso_ms(created),
            "desiredStatus": "STOPPED" if stopped else "RUNNING",
            "group": f"service:{service}",
            "healthStatus": "UNHEALTHY" if stopped else "HEALTHY",
            "lastStatus": "STOPPED" if stopped else "RUNNING",
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "pullStartedAt": k.iso_ms(created + timedelta(seconds=12)),
            "pullStoppedAt": k.iso_ms(created + timedelta(seconds=24)),
            "startedAt": k.iso_ms(created + timedelta(seconds=40)),
            "startedBy": dep_new if td == td_new else dep_old,
            "taskArn": f"arn:aws:ecs:{region}:{account}:task/{cluster}/{tid}",
            "taskDefinitionArn": td,
            "version": 4 if stopped else 3,
            "ephemeralStorage": {"sizeInGiB": 20},
        }
        if stopped:
            item.update(
                {
                    "stopCode": "ServiceSchedulerInitiated",
                    "stoppedReason": "Task failed container health checks",
                    "stoppingAt": k.iso_ms(stopped.unhealthy),
                    "executionStoppedAt": k.iso_ms(stopped.stopped - timedelta(seconds=2)),
                    "stoppedAt": k.iso_ms(stopped.stopped),
                }
            )
        return {"service": "ecs", "type": "Task", "item": item}

    for tid, ip, az_i, created in old_tasks:
        resources.append(task_item(tid, ip, az_i, td_old, old_tag, created, None))
    for t in new_tasks:
        resources.append(
            task_item(
                t.id,
                t.ip,
                t.az,
                td_new,
                new_tag,
                t.created,
                t,
            )
        )

    # --- metrics ------------------------------------------------------------------------------------------------
    minutes = k.steps(start, now, 60)
    m = k.Metrics(fine_from)
    nz = k.Noise(rng)
    peak = rng.uniform(70, 110)
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    req, e5, rt = {}, {}, {}
    for tm in minutes:
        r = peak * 60 * k.diurnal(tm, off, 13.0) * nz()
        share = 0.0
        for sec in range(0, 60, 10):
            ts = tm + timedelta(seconds=sec)
            n_new = new_serving(ts)
            share += n_new / (desired + n_new) / 6
        req[tm] = round(r)
        e5[tm] = round(r * share * rng.uniform(0.62, 0.74)) + (1 if rng.random() < 0.05 else 0)
        rt[tm] = round(0.042 * rng.uniform(0.85, 1.25) * (1 - share) + share * 0.011, 4)
    ns = "AWS/ApplicationELB"
    for d in (lbd, tgd):
        m.add(ns, "RequestCount", d, "Count", [(tm, req[tm]) for tm in minutes])
        m.add(ns, "TargetResponseTime", d, "Seconds", [(tm, rt[tm]) for tm in minutes])
        m.add(ns, "HTTPCode_Target_5XX_Count", d, "Count", [(tm, e5[tm]) for tm in minutes if e5[tm] > 0])
        m.add(
            ns,
            "HTTPCode_Target_2XX_Count",
            d,
            "Count",
            [(tm, round((req[tm] - e5[tm]) * 0.96)) for tm in minutes],
        )
        m.add(
            ns,
            "HTTPCode_Target_4XX_Count",
            d,
            "Count",
            [(tm, round((req[tm] - e5[tm]) * 0.04)) for tm in minutes],
        )
    m.add(
        ns,
        "HealthyHostCount",
        tgd,
        "Count",
        [(tm, float(desired + new_serving(tm + timedelta(seconds=30)))) for tm in minutes],
    )
    m.add(ns, "UnHealthyHostCount", tgd, "Count", [(tm, 0.0) for tm in minutes])
    e502 = {
        tm: rng.randint(1, 4)
        for t in new_tasks
        for tm in minutes
        if tm <= t.unhealthy < tm + timedelta(seconds=60)
    }
    m.add(ns, "HTTPCode_ELB_502_Count", lbd, "Count", sorted(e502.items()))
    m.add(ns, "HTTPCode_ELB_5XX_Count", lbd, "Count", sorted(e502.items()))
    sd = {"ClusterName": cluster, "ServiceName": service}
    cn = k.Noise(rng)
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        sd,
        "Percent",
        [
            (
                tm,
                round(
                    (9 + 31 * k.diurnal(tm, off, 13.0)) * cn() * desired / (desired + new_running(tm))
                    + 4 * new_running(tm) / (desired + new_running(tm)),
                    3,
                ),
            )
            for tm in minutes
        ],
    )
    m.add(
        "AWS/ECS",
        "MemoryUtilization",
        sd,
        "Percent",
        [
            (tm, round(rng.uniform(41, 44) - 6 * new_running(tm) / (desired + new_running(tm)), 3))
            for tm in minutes
        ],
    )
    ci = "ECS/ContainerInsights"
    m.add(ci, "DesiredTaskCount", sd, "Count", [(tm, float(desired)) for tm in minutes])
    m.add(ci, "RunningTaskCount", sd, "Count", [(tm, float(desired + new_running(tm))) for tm in minutes])
    m.add(
        ci,
        "PendingTaskCount",
        sd,
        "Count",
        [(tm, float(sum(1 for t in new_tasks if t.created <= tm < t.running))) for tm in minutes],
    )
    m.add(
        ci, "DeploymentCount", sd, "Count", [(tm, 2.0 if deploy <= tm < rb_done else 1.0) for tm in minutes]
    )
    # the other service in the cluster
    sd2 = {"ClusterName": cluster, "ServiceName": "search-indexer"}
    m.add(
        "AWS/ECS", "CPUUtilization", sd2, "Percent", [(tm, round(rng.uniform(18, 35), 3)) for tm in minutes]
    )
    m.add(
        "AWS/ECS",
        "MemoryUtilization",
        sd2,
        "Percent",
        [(tm, round(rng.uniform(55, 61), 3)) for tm in minutes],
    )

    # --- alarms ---------------------------------------------------------------------------------------------------
    configured = day - timedelta(days=rng.randint(40, 200))
    ops = f"arn:aws:sns:{region}:{account}:retail-oncall"
    specs = [
        k.AlarmSpec(
            "catalog-api-prod-5xx",
            "catalog-api target 5xx (pages)",
            ns,
            "HTTPCode_Target_5XX_Count",
            lbd,
            "Sum",
            60,
            2,
            2,
            20.0,
            "GreaterThanThreshold",
            "notBreaching",
            [ops],
            [ops],
            configured,
        ),
        k.AlarmSpec(
            "catalog-api-prod-latency",
            "catalog-api mean response time",
            ns,
            "TargetResponseTime",
            lbd,
            "Average",
            60,
            5,
            4,
            0.5,
            "GreaterThanThreshold",
            "notBreaching",
            [ops],
            [ops],
            configured,
        ),
        k.AlarmSpec(
            "catalog-api-prod-unhealthy-targets",
            "catalog-api unhealthy targets",
            ns,
            "UnHealthyHostCount",
            tgd,
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            [ops],
            [ops],
            configured,
        ),
        k.AlarmSpec(
            "catalog-api-prod-cpu",
            "catalog-api service CPU",
            "AWS/ECS",
            "CPUUtilization",
            sd,
            "Average",
            300,
            3,
            3,
            75.0,
            "GreaterThanThreshold",
            "missing",
            [ops],
            [ops],
            configured,
        ),
        k.AlarmSpec(
            "catalog-api-prod-memory",
            "catalog-api service memory",
            "AWS/ECS",
            "MemoryUtilization",
            sd,
            "Average",
            300,
            3,
            3,
            85.0,
            "GreaterThanThreshold",
            "missing",
            [ops],
            [ops],
            configured,
        ),
        k.AlarmSpec(
            "search-indexer-prod-cpu",
            "search-indexer CPU",
            "AWS/ECS",
            "CPUUtilization",
            sd2,
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            [ops],
            [],
            configured,
        ),
    ]
    alarms, history = [], []
    trigger_event = None
    for spec in specs:
        item, hist, trans = k.evaluate_alarm(
            rng, spec, m.find(spec.namespace, spec.metric, spec.dims), start, now, account, region
        )
        alarms.append(item)
        history += hist
        if spec.name == "catalog-api-prod-5xx":
            first = next(i for i, tr in enumerate(trans) if tr[2] == "ALARM")
            trigger_event = k.alarm_event(rng, spec, trans[first], trans[first - 1], account, region)
            alarm_at = trans[first][0]

    # --- logs ---------------------------------------------------------------------------------------------------
    logs: list[k.JSON] = []
    lg = f"/ecs/{service}"
    paths = [
        "/v1/products/{}",
        "/v1/products/{}/price",
        "/v1/categories/{}/products",
        "/v1/products/{}/availability",
    ]

    def app_logs(tid: str, ip: str, tag: str, begin: datetime, end: datetime, bad: bool, boot: bool) -> None:
        stream = f"ecs/{service}/{tid}"
        host = f"ip-{ip.replace('.', '-')}.{region}.compute.internal"

        def emit(tm: datetime, level: int, msg: str, **kw: object) -> None:
            obj: dict[str, object] = {
                "level": level,
                "time": int(tm.timestamp() * 1000),
                "pid": 1,
                "hostname": host,
                "msg": msg,
            }
            obj.update(kw)
            logs.append(k.log(lg, stream, tm, json.dumps(obj, separators=(",", ":"))))

        tm = begin
        if boot:
            emit(tm, 30, f"catalog-api {tag} starting", node="v20.12.2", env="production")
            emit(tm + timedelta(milliseconds=420), 30, "dynamodb client ready", table="catalog-products-prod")
            if bad:
                emit(
                    tm + timedelta(milliseconds=431),
                    40,
                    "pricing: PRICING_SERVICE_URL is not set; pricing client not initialised",
                )
            emit(tm + timedelta(milliseconds=610), 30, "Server listening at http://0.0.0.0:8080")
            tm += timedelta(seconds=1)
        hc_next = begin + timedelta(seconds=rng.uniform(3, 25))
        while tm < end:
            d = k.diurnal(tm, off, 13.0)
            if bad and tm >= hc_next:
                emit(
                    tm,
                    50,
                    "health check failed",
                    check="pricing",
                    error="pricing client not initialised (PRICING_SERVICE_URL is empty)",
                    status=503,
                    req={"method": "GET", "url": "/health", "remoteAddress": "127.0.0.1"},
                )
                hc_next = tm + timedelta(seconds=30)
            pth = rng.choice(paths).format(rng.randint(100000, 999999))
            if bad and rng.random() < 0.68:
                emit(
                    tm,
                    50,
                    "request errored",
                    err={
                        "type": "TypeError",
                        "message": "Cannot read properties of undefined (reading 'quote')",
                        "stack": "TypeError: Cannot read properties of undefined (reading 'quote')\n    at PriceService.priceFor (/app/dist/services/price.js:41:38)\n    at ProductHandler.get (/app/dist/handlers/product.js:77:36)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)",
                    },
                    req={"method": "GET", "url": pth},
                    res={"statusCode": 500},
                    responseTime=round(rng.uniform(4, 14), 1),
                )
            elif rng.random() < 0.25:
                emit(
                    tm,
                    30,
                    "request completed",
                    req={"method": "GET", "url": pth},
                    res={"statusCode": 200},
                    responseTime=round(rng.uniform(12, 80), 1),
                )
            elif rng.random() < 0.012:
                emit(
                    tm, 40, "search backend slow", took_ms=rng.randint(900, 2400), endpoint="search.internal"
                )
            elif rng.random() < 0.01:
                emit(
                    tm,
                    40,
                    "dynamodb retry",
                    attempt=2,
                    code="ProvisionedThroughputExceededException",
                    table="catalog-products-prod",
                )
            tm += timedelta(seconds=rng.uniform(1.2, 4.0) if bad else rng.uniform(4, 11) / max(0.35, d))
        if bad:
            emit(end, 30, "received SIGTERM, closing server")
            emit(end + timedelta(milliseconds=rng.randint(300, 900)), 30, "server closed")

    for tid, ip, _, _ in old_tasks:
        app_logs(tid, ip, old_tag, start + timedelta(seconds=rng.uniform(0, 9)), now, False, False)
    for t in new_tasks:
        app_logs(t.id, t.ip, new_tag, t.running - timedelta(seconds=6), t.unhealthy, True, True)

    # --- CloudTrail -------------------------------------------------------------------------------------------------
    trail = k.Trail(rng, account, region)
    gha_ip = f"4.{rng.randint(150, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    gha = k.role_session(
        rng,
        account,
        "gha-deploy-catalog",
        "GitHubActions",
        gha_ip,
        f"aws-cli/2.17.{rng.randint(10, 40)} md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.update-service",
    )
    ecr_t = deploy - timedelta(minutes=rng.randint(3, 5), seconds=rng.randint(0, 50))
    trail.add(
        ecr_t - timedelta(seconds=6),
        gha,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        {},
        None,
        read_only=True,
        version="1.08",
    )
    trail.add(
        ecr_t,
        gha,
        "ecr.amazonaws.com",
        "PutImage",
        {"repositoryName": service, "imageTag": new_tag, "registryId": account, "imageManifest": "{...}"},
        {
            "image": {
                "registryId": account,
                "repositoryName": service,
                "imageId": {"imageDigest": "sha256:" + k.hexs(rng, 64), "imageTag": new_tag},
            }
        },
        version="1.08",
        resources=[{"accountId": account, "ARN": f"arn:aws:ecr:{region}:{account}:repository/{service}"}],
    )
    trail.add(
        reg_t - timedelta(seconds=3),
        gha,
        "ecs.amazonaws.com",
        "DescribeTaskDefinition",
        {"taskDefinition": service},
        None,
        read_only=True,
    )
    trail.add(
        reg_t,
        gha,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": service,
            "taskRoleArn": f"arn:aws:iam::{account}:role/catalog-api-task",
            "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": service,
                    "image": f"{repo_uri}:{new_tag}",
                    "cpu": 0,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "essential": True,
                    "environment": [
                        {"name": "NODE_ENV", "value": "production"},
                        {"name": "PORT", "value": "8080"},
                        {"name": "CATALOG_TABLE", "value": "catalog-products-prod"},
                        {"name": "SEARCH_ENDPOINT", "value": f"https://search.internal.{domain}"},
                        {"name": "LOG_LEVEL", "value": "info"},
                    ],
                    "healthCheck": {
                        "command": [
                            "CMD-SHELL",
                            "wget -q -O /dev/null http://localhost:8080/health || exit 1",
                        ],
                        "interval": 30,
                        "timeout": 5,
                        "retries": 3,
                        "startPeriod": 60,
                    },
                }
            ],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_new,
                "family": service,
                "revision": new_rev,
                "status": "ACTIVE",
            }
        },
    )
    culprit = trail.add(
        deploy,
        gha,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": service,
            "taskDefinition": f"{service}:{new_rev}",
            "forceNewDeployment": False,
        },
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
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 150,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": dep_new,
                        "status": "PRIMARY",
                        "taskDefinition": td_new,
                        "desiredCount": 0,
                        "rolloutState": "IN_PROGRESS",
                        "rolloutStateReason": "ECS deployment detected.",
                    },
                    {
                        "id": dep_old,
                        "status": "ACTIVE",
                        "taskDefinition": td_old,
                        "desiredCount": desired,
                        "runningCount": desired,
                        "rolloutState": "COMPLETED",
                    },
                ],
            }
        },
    )
    tm = deploy + timedelta(seconds=15)
    while tm < min(now, deploy + timedelta(minutes=10)):
        trail.add(
            tm,
            gha,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [service]},
            None,
            read_only=True,
        )
        tm += timedelta(seconds=rng.choice([15, 15, 16]) * 4)
    slr = k.service_role(rng, account, "AWSServiceRoleForECS", "ecs-service-scheduler", "ecs.amazonaws.com")
    for wave in waves:
        tgts = [{"id": t.ip, "port": 8080} for t in wave]
        trail.add(
            max(t.running for t in wave) + timedelta(seconds=2),
            slr,
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {"targetGroupArn": tg_arn, "targets": tgts},
            None,
        )
        trail.add(
            max(t.unhealthy for t in wave) + timedelta(seconds=3),
            slr,
            "elasticloadbalancing.amazonaws.com",
            "DeregisterTargets",
            {"targetGroupArn": tg_arn, "targets": tgts},
            None,
        )
    # innocent nearby changes
    eng = k.sso_user(
        rng,
        account,
        region,
        f"hannah.cole@{domain}",
        "DeveloperAccess",
        k.office_ip(rng),
        k.cli_agent(rng, "ssm.put-parameter"),
        False,
    )
    p_t = deploy - timedelta(minutes=rng.randint(14, 22))
    trail.add(
        p_t,
        eng,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/catalog/prod/search/boost-weights",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": rng.randint(8, 30), "tier": "Standard"},
    )
    ops_user = k.sso_user(
        rng, account, region, f"raj.patel@{domain}", "PlatformAdmin", k.office_ip(rng), k.CONSOLE_AGENT, True
    )
    u_t = deploy + timedelta(minutes=rng.randint(-12, -6))
    trail.add(
        u_t,
        ops_user,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "search-indexer", "desiredCount": 3},
        {
            "service": {
                "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/search-indexer",
                "serviceName": "search-indexer",
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    trail.add(
        u_t + timedelta(minutes=rng.randint(18, 24)),
        ops_user,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/ecs/search-indexer", "retentionInDays": 14},
        None,
    )
    dd = k.role_session(
        rng,
        account,
        "DatadogIntegrationRole",
        "datadog-aws-integration",
        f"3.233.{rng.randint(140, 159)}.{rng.randint(2, 250)}",
        "Datadog/1.0 aws-sdk-go/1.51.30 (go1.22.2; linux; amd64)",
    )
    tm = start + timedelta(minutes=rng.randint(1, 9), seconds=rng.randint(0, 59))
    while tm < now:
        dd_calls: list[tuple[str, str, k.JSON]] = [
            ("ecs.amazonaws.com", "ListClusters", {}),
            (
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": [service, "search-indexer"]},
            ),
            ("elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {"pageSize": 400}),
            ("tagging.amazonaws.com", "GetResources", {"resourceTypeFilters": ["ecs:service"]}),
        ]
        src, nm, rq = rng.choice(dd_calls)
        trail.add(tm, dd, src, nm, rq, None, read_only=True)
        tm += timedelta(minutes=rng.randint(7, 16), seconds=rng.randint(0, 59))
    resp = k.sso_user(
        rng,
        account,
        region,
        f"tom.ashworth@{domain}",
        "PlatformAdmin",
        k.office_ip(rng),
        k.CONSOLE_AGENT,
        True,
    )
    tm = alarm_at + timedelta(minutes=rng.randint(5, 9))
    for src, nm, rq in (
        ("monitoring.amazonaws.com", "DescribeAlarmHistory", {"alarmName": "catalog-api-prod-5xx"}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [service]}),
        (
            "ecs.amazonaws.com",
            "ListTasks",
            {"cluster": cluster, "serviceName": service, "desiredStatus": "STOPPED"},
        ),
        (
            "ecs.amazonaws.com",
            "DescribeTasks",
            {"cluster": cluster, "tasks": [t.id for t in new_tasks[:2]]},
        ),
    ):
        if tm < now:
            trail.add(tm, resp, src, nm, rq, None, read_only=True)
        tm += timedelta(seconds=rng.randint(20, 90))

    local_alarm = _clock(alarm_at, off)
    question = rng.choice(
        [
            f"We got paged for catalog-api 5xx at {local_alarm}, and it seems to have calmed down by itself. What happened, and is anything still broken?",
            f"catalog-api-prod-5xx fired around {local_alarm} then flipped back to OK a couple of times. Can you work out what caused it?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": trigger_event, "timezone": tz},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": td_new,
                    "category": "change",
                    "failure_mode": "bad-image-failing-container-health-check",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [f"{service}:{new_rev}", service, service_arn, f"{repo_uri}:{new_tag}"],
                "actions": ["rollback"],
                "chain": [
                    f"UpdateService deployed {service}:{new_rev} (image {new_tag}) which needs PRICING_SERVICE_URL, not set in the task definition",
                    "new tasks pass the ALB /ping check and take traffic but return 500 on product and price requests",
                    "their /health container check fails; ECS stops them; the circuit breaker fails the deployment and rolls back",
                    "catalog-api-prod ALB target 5xx spikes twice and the catalog-api-prod-5xx alarm flaps",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.records(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": k.sort_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
