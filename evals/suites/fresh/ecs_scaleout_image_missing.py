"""Freight quote API: slow at the afternoon peak while the ECS service cannot grow past its morning size."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_r as kr

NAME = "tidewater-quotes-slow-at-peak"
TITLE = "Quote API slow at the afternoon peak; service stuck below desired count"
SUMMARY = (
    "Someone cleaning up ECR by hand (BatchDeleteImage) deleted the only tag of the image the quote-engine "
    "service runs; at the peak scale-out new Fargate tasks fail with CannotPullContainerError, running stays "
    "below desired and latency climbs."
)

Json = dict[str, Any]
ZONE = "America/Chicago"


def build(seed: int) -> Bundle:
    k = kr.Kit(NAME, seed)
    r = k.rng
    zone = ZoneInfo(ZONE)
    day = k.start_date()
    local_onset = datetime(day.year, day.month, day.day, 14, 0, tzinfo=zone) + timedelta(
        minutes=r.randint(5, 80), seconds=r.randint(0, 59)
    )
    onset = local_onset.astimezone(kr.UTC)
    off = local_onset.utcoffset()
    tz_off = off.total_seconds() / 3600 if off is not None else 0.0
    o_min = kr.floor_min(onset)
    start = kr.floor_min(onset - timedelta(hours=4, minutes=r.randint(10, 50)))
    now = kr.floor_min(onset + timedelta(minutes=r.randint(42, 58)))
    deleted_at = onset - timedelta(minutes=r.randint(55, 110), seconds=r.randint(0, 59))

    cluster = "tw-prod"
    svc = "quote-engine"
    cluster_arn = k.arn("ecs", f"cluster/{cluster}")
    svc_arn = k.arn("ecs", f"service/{cluster}/{svc}")
    registry = f"{k.account}.dkr.ecr.{k.region}.amazonaws.com"
    build_day = day - timedelta(days=r.randint(15, 24))
    tag = f"{build_day:%Y.%m.%d}-{k.hex(7)}"
    digest = "sha256:" + k.hex(64)
    image = f"{registry}/{svc}:{tag}"
    repo_arn = k.arn("ecr", f"repository/{svc}")
    td_rev = r.randint(60, 140)
    td_arn = k.arn("ecs", f"task-definition/{svc}:{td_rev}")
    exec_role = f"arn:aws:iam::{k.account}:role/tw-ecs-task-execution"
    net = kr.Net(k, "tidewater-prod", "10.61")
    alb_sg, task_sg = k.rid("sg"), k.rid("sg")
    lb_name, lb_hex, tg_hex = "tw-quotes-prod", k.hex(16), k.hex(16)
    lb_created = day - timedelta(
        days=r.randint(300, 700), hours=-r.randint(14, 22), minutes=-r.randint(0, 59)
    )
    lb = kr.alb(k, lb_name, lb_hex, net, alb_sg, lb_created)
    lb_arn = lb["item"]["LoadBalancerArn"]
    tg = kr.target_group(k, "tw-quote-engine", tg_hex, net.vpc, lb_arn, 8080, "/healthz", "ip")
    tg_arn = tg["item"]["TargetGroupArn"]
    lb_dim, tg_dim = f"app/{lb_name}/{lb_hex}", f"targetgroup/tw-quote-engine/{tg_hex}"
    deploy_at = build_day + timedelta(hours=r.randint(14, 20), minutes=r.randint(0, 59))
    min_tasks, max_tasks = 6, 12

    # --- running tasks (started at the last deploy or by replacements since) ------------------------
    def task_arn() -> str:
        return k.arn("ecs", f"task/{cluster}/{k.hex(32)}")

    running = []
    for n in range(min_tasks):
        started = deploy_at + timedelta(days=r.choice([0, 0, 0, 3, 7, 11]), minutes=n)
        running.append((task_arn(), n % 3, started, k.ip(True, "10.61")))

    # --- load model ---------------------------------------------------------------------------------
    cap = 1.0  # one task's worth of CPU-seconds per second
    scale = 0.50 * min_tasks * cap / kr.day_shape(onset, tz_off)
    desired_at: list[tuple[datetime, int]] = [(start, min_tasks)]
    rps_per_unit = r.uniform(60, 85)
    metrics: list[Json] = []
    cpu_series: dict[datetime, float] = {}
    p90_series: dict[datetime, float] = {}
    e5_series: dict[datetime, float] = {}
    desired = min_tasks
    high = 0
    failed_starts: list[datetime] = []
    for t in kr.minutes(start, now):
        demand = (
            scale
            * kr.day_shape(t, tz_off)
            * (1 + 0.025 * math.sin(t.timestamp() / 900))
            * r.uniform(0.97, 1.03)
        )
        if t >= o_min:
            demand *= 1 + min(1.2, (t - o_min).total_seconds() / 60 / 35 * 1.2)
        rho = demand / (min_tasks * cap)
        cpu = min(99.5, 100 * rho * r.uniform(0.97, 1.03))
        cpu_series[t] = cpu
        high = high + 1 if cpu > 55 else 0
        if high >= 3 and desired < max_tasks and t >= o_min:
            step = min(max_tasks, max(desired + 1, math.ceil(desired * cpu / 55)))
            if not desired_at or (t - desired_at[-1][0]).total_seconds() >= 240:
                desired = step
                desired_at.append((t + timedelta(seconds=r.randint(75, 100)), desired))
                failed_starts.append(t + timedelta(seconds=r.randint(110, 140)))
        rq = int(demand * rps_per_unit * 60)
        util = min(rho, 0.985)
        p50 = 0.055 / (1 - min(util, 0.97) ** 3 * 0.9)
        p90 = round(min(9.5, 0.18 + 0.012 / max(0.01, 1 - util) ** 1.3) * r.uniform(0.96, 1.04), 3)
        p90_series[t] = p90
        errs = int(rq * max(0.0, util - 0.86) * 0.15)
        lbd = {"LoadBalancer": lb_dim}
        d = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
        ns = "AWS/ApplicationELB"
        for dd in (lbd, d):
            metrics.append(kr.datum(ns, "RequestCount", dd, t, "Count", rq))
            metrics.append(
                kr.datum(ns, "HTTPCode_Target_2XX_Count", dd, t, "Count", rq - errs - int(rq * 0.01))
            )
            metrics.append(kr.datum(ns, "HTTPCode_Target_4XX_Count", dd, t, "Count", int(rq * 0.01)))
            if errs:
                metrics.append(kr.datum(ns, "HTTPCode_Target_5XX_Count", dd, t, "Count", errs))
            metrics.append(kr.latency_p(k, ns, "TargetResponseTime", dd, t, rq, p50, p90))
        if errs:
            e5_series[t] = float(errs)
        metrics.append(kr.datum(ns, "HealthyHostCount", d, t, "Count", min_tasks))
        metrics.append(kr.datum(ns, "UnHealthyHostCount", d, t, "Count", 0))
        metrics.append(
            kr.datum(
                ns, "RequestCountPerTarget", {"TargetGroup": tg_dim}, t, "Count", round(rq / min_tasks, 1)
            )
        )
        sd = {"ClusterName": cluster, "ServiceName": svc}
        metrics.append(
            kr.stat(
                "AWS/ECS",
                "CPUUtilization",
                sd,
                t,
                "Percent",
                min_tasks,
                cpu * min_tasks,
                cpu * 0.93,
                min(100.0, cpu * 1.06),
            )
        )
        mem = 41 + 6 * rho + r.uniform(-0.6, 0.6)
        metrics.append(
            kr.stat(
                "AWS/ECS", "MemoryUtilization", sd, t, "Percent", min_tasks, mem * min_tasks, mem - 2, mem + 2
            )
        )
        pending = 0
        if t >= o_min and desired > min_tasks:
            pending = (desired - min_tasks) if (t.minute % 3) != 0 else 0
        metrics.append(kr.datum("ECS/ContainerInsights", "DesiredTaskCount", sd, t, "Count", desired))
        metrics.append(kr.datum("ECS/ContainerInsights", "RunningTaskCount", sd, t, "Count", min_tasks))
        metrics.append(kr.datum("ECS/ContainerInsights", "PendingTaskCount", sd, t, "Count", pending))
        metrics.append(
            kr.datum(
                "ECS/ContainerInsights", "CpuUtilized", sd, t, "None", round(cpu / 100 * 1024 * min_tasks, 1)
            )
        )
        metrics.append(
            kr.datum(
                "ECS/ContainerInsights",
                "MemoryUtilized",
                sd,
                t,
                "Megabytes",
                round(mem / 100 * 2048 * min_tasks),
            )
        )
        # the neighbour service, deployed a few minutes before the onset
        td = {"ClusterName": cluster, "ServiceName": "tracking-api"}
        tcpu = kr.noisy(k, 18 + 14 * kr.day_shape(t, tz_off), 0.08)
        metrics.append(
            kr.stat("AWS/ECS", "CPUUtilization", td, t, "Percent", 3, tcpu * 3, tcpu * 0.9, tcpu * 1.1)
        )
        metrics.append(kr.stat("AWS/ECS", "MemoryUtilization", td, t, "Percent", 3, 3 * 35.0, 33.0, 37.0))
        metrics.append(kr.datum("ECS/ContainerInsights", "RunningTaskCount", td, t, "Count", 3))
        metrics.append(kr.datum("ECS/ContainerInsights", "DesiredTaskCount", td, t, "Count", 3))

    # --- alarms -----------------------------------------------------------------------------------
    topic = "tw-platform-alerts"
    topic_arn = k.arn("sns", topic)
    created = lb_created + timedelta(days=10)
    p90_avg = {t: v for t, v in p90_series.items()}
    a_lat = kr.Alarm(
        k,
        "quote-engine-latency-p90",
        "quote API p90 above 1s for 5 minutes",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "p90",
        60,
        5,
        1.0,
        "GreaterThanThreshold",
        topic_arn,
        created,
        datapoints_to_alarm=5,
    )
    a_lat.evaluate(p90_avg, start, now)
    a_5xx = kr.Alarm(
        k,
        "quote-engine-5xx",
        "quote-engine 5xx above 25/min",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_dim},
        "Sum",
        60,
        3,
        25.0,
        "GreaterThanThreshold",
        topic_arn,
        created,
        missing="notBreaching",
    )
    a_5xx.evaluate(e5_series, start, now)
    tt_id = k.uuid()
    a_hi = kr.Alarm(
        k,
        f"TargetTracking-service/{cluster}/{svc}-AlarmHigh-{tt_id}",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:...",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": svc},
        "Average",
        60,
        3,
        55.0,
        "GreaterThanThreshold",
        k.arn("autoscaling", "scalingPolicy:x"),
        created,
    )
    a_hi.evaluate(cpu_series, start, now)
    a_lo = kr.Alarm(
        k,
        f"TargetTracking-service/{cluster}/{svc}-AlarmLow-{k.uuid()}",
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:...",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": svc},
        "Average",
        60,
        15,
        49.5,
        "LessThanThreshold",
        k.arn("autoscaling", "scalingPolicy:x"),
        created,
        initial=("ALARM", "Threshold Crossed: 15 datapoints were less than the threshold (49.5)."),
    )
    a_lo.evaluate(cpu_series, start, now)
    policy_arn = k.arn(
        "autoscaling",
        f"scalingPolicy:{k.uuid()}:resource/ecs/service/{cluster}/{svc}:policyName/{svc}-cpu-target",
    )
    for a in (a_hi, a_lo):
        a.description = f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}."
        a.topic = policy_arn
    alarms = [a_lat, a_5xx, a_hi, a_lo]

    # --- ECS / App Auto Scaling events ------------------------------------------------------------
    events: list[Json] = []
    stopped_tasks: list[Json] = []
    asg_role = f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
    prev = min_tasks
    service_events: list[tuple[datetime, str]] = []
    for (t_set, n), t_fail in zip(desired_at[1:], failed_starts, strict=True):
        events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": k.uuid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": f"service/{cluster}/{svc}",
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {n}.",
                    "Cause": f"monitor alarm {a_hi.name} in state ALARM triggered policy {svc}-cpu-target",
                    "StartTime": kr.iso(t_set),
                    "EndTime": kr.iso(t_set + timedelta(seconds=r.randint(30, 70))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
                },
            }
        )
        prev = n
        new_ids = [k.hex(32) for _ in range(n - min_tasks)]
        service_events.append(
            (
                t_set + timedelta(seconds=r.randint(8, 20)),
                f"(service {svc}) has started {len(new_ids)} tasks: "
                + " ".join(
                    f"(task {x})." if i == len(new_ids) - 1 else f"(task {x})" for i, x in enumerate(new_ids)
                ),
            )
        )
        for x in new_ids:
            created_at = t_set + timedelta(seconds=r.randint(9, 20))
            stop_at = created_at + timedelta(seconds=r.randint(50, 95))
            if stop_at > now:
                continue
            stopped_tasks.append(
                {
                    "service": "ecs",
                    "type": "Task",
                    "item": {
                        "attachments": [
                            {
                                "id": k.uuid(),
                                "type": "ElasticNetworkInterface",
                                "status": "DELETED",
                                "details": [
                                    {"name": "subnetId", "value": net.private[r.randint(0, 2)]},
                                    {"name": "networkInterfaceId", "value": k.rid("eni")},
                                    {"name": "privateIPv4Address", "value": k.ip(True, "10.61")},
                                ],
                            }
                        ],
                        "availabilityZone": r.choice(k.azs),
                        "clusterArn": cluster_arn,
                        "connectivity": "CONNECTED",
                        "connectivityAt": kr.iso(created_at + timedelta(seconds=6)),
                        "containers": [
                            {
                                "containerArn": k.arn("ecs", f"container/{cluster}/{x}/{k.uuid()}"),
                                "taskArn": k.arn("ecs", f"task/{cluster}/{x}"),
                                "name": svc,
                                "image": image,
                                "lastStatus": "STOPPED",
                                "networkInterfaces": [],
                                "healthStatus": "UNKNOWN",
                                "cpu": "0",
                            }
                        ],
                        "cpu": "1024",
                        "memory": "2048",
                        "createdAt": kr.iso(created_at),
                        "desiredStatus": "STOPPED",
                        "enableExecuteCommand": False,
                        "executionStoppedAt": kr.iso(stop_at - timedelta(seconds=3)),
                        "group": f"service:{svc}",
                        "healthStatus": "UNKNOWN",
                        "lastStatus": "STOPPED",
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "pullStartedAt": kr.iso(created_at + timedelta(seconds=9)),
                        "startedBy": f"ecs-svc/{k.rng.randint(10**18, 10**19 - 1)}",
                        "stopCode": "TaskFailedToStart",
                        "stoppedAt": kr.iso(stop_at),
                        "stoppedReason": (
                            f"CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref "
                            f"{registry}/{svc}@{digest}: {registry}/{svc}@{digest}: not found"
                        ),
                        "stoppingAt": kr.iso(stop_at - timedelta(seconds=2)),
                        "taskArn": k.arn("ecs", f"task/{cluster}/{x}"),
                        "taskDefinitionArn": td_arn,
                        "version": 4,
                        "ephemeralStorage": {"sizeInGiB": 20},
                    },
                }
            )
        if t_fail + timedelta(minutes=4) <= now:
            service_events.append(
                (
                    t_fail + timedelta(minutes=4),
                    f"(service {svc}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.",
                )
            )
    for t_ev, msg in service_events:
        if t_ev <= now:
            events.append(
                {
                    "source": "ecs",
                    "item": {
                        "service_arn": svc_arn,
                        "event": {"id": k.uuid(), "createdAt": kr.iso(t_ev), "message": msg},
                    },
                }
            )
    steady = start + timedelta(minutes=r.randint(3, 40))
    while steady < o_min:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {
                        "id": k.uuid(),
                        "createdAt": kr.iso(steady),
                        "message": f"(service {svc}) has reached a steady state.",
                    },
                },
            }
        )
        steady += timedelta(hours=6)
    for _arn, az_i, started, ip in running:
        events.append(kr.th(tg_arn, ip, 8080, "healthy", started + timedelta(minutes=1), az=k.azs[az_i]))

    # --- resources ----------------------------------------------------------------------------------
    resources: list[Json] = [lb, tg]
    resources.append(
        {
            "service": "elbv2",
            "type": "Listener",
            "item": {
                "ListenerArn": k.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{k.hex(16)}"),
                "LoadBalancerArn": lb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": k.arn("acm", f"certificate/{k.uuid()}")}],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [
                    {
                        "Type": "forward",
                        "TargetGroupArn": tg_arn,
                        "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": tg_arn, "Weight": 1}]},
                    }
                ],
            },
        }
    )
    resources += net.resources()
    resources.append(
        kr.security_group(
            k, alb_sg, "tw-quotes-prod-alb", "HTTPS from partners and web", net.vpc, [(443, "0.0.0.0/0")]
        )
    )
    resources.append(
        kr.security_group(
            k, task_sg, "tw-quote-engine-tasks", "quote-engine tasks", net.vpc, [(8080, alb_sg)]
        )
    )
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": min_tasks + 3 + 4,
                "pendingTasksCount": 0,
                "activeServicesCount": 5,
                "statistics": [],
                "tags": [],
                "settings": [{"name": "containerInsights", "value": "enabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "defaultCapacityProviderStrategy": [],
            },
        }
    )
    deployment_id = "ecs-svc/" + str(r.randint(10**18, 10**19 - 1))
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": svc, "containerPort": 8080}],
                "serviceRegistries": [],
                "status": "ACTIVE",
                "desiredCount": desired,
                "runningCount": min_tasks,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": deployment_id,
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": desired,
                        "pendingCount": 0,
                        "runningCount": min_tasks,
                        "failedTasks": len(stopped_tasks),
                        "createdAt": kr.iso(deploy_at),
                        "updatedAt": kr.iso(desired_at[-1][0]),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "networkConfiguration": {
                            "awsvpcConfiguration": {
                                "subnets": net.private,
                                "securityGroups": [task_sg],
                                "assignPublicIp": "DISABLED",
                            }
                        },
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment " + deployment_id + " completed.",
                    }
                ],
                "roleArn": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
                "events": [],
                "createdAt": kr.iso(lb_created + timedelta(days=1)),
                "placementConstraints": [],
                "placementStrategy": [],
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": net.private,
                        "securityGroups": [task_sg],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 30,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "createdBy": f"arn:aws:iam::{k.account}:role/tw-deploy-pipeline",
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
                "enableExecuteCommand": False,
            },
        }
    )
    resources.append(
        {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": td_arn,
                "containerDefinitions": [
                    {
                        "name": svc,
                        "image": image,
                        "cpu": 0,
                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                        "essential": True,
                        "environment": [
                            {"name": "RATECARD_URL", "value": "http://rate-card.tw.internal:8080"},
                            {"name": "LOG_LEVEL", "value": "info"},
                        ],
                        "mountPoints": [],
                        "volumesFrom": [],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{svc}",
                                "awslogs-region": k.region,
                                "awslogs-stream-prefix": svc,
                            },
                        },
                        "systemControls": [],
                    }
                ],
                "family": svc,
                "taskRoleArn": f"arn:aws:iam::{k.account}:role/tw-quote-engine-task",
                "executionRoleArn": exec_role,
                "networkMode": "awsvpc",
                "revision": td_rev,
                "volumes": [],
                "status": "ACTIVE",
                "requiresAttributes": [
                    {"name": "com.amazonaws.ecs.capability.ecr-auth"},
                    {"name": "ecs.capability.execution-role-ecr-pull"},
                ],
                "placementConstraints": [],
                "compatibilities": ["EC2", "FARGATE"],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "registeredAt": kr.iso(deploy_at - timedelta(minutes=3)),
                "registeredBy": f"arn:aws:sts::{k.account}:assumed-role/tw-deploy-pipeline/codebuild",
            },
        }
    )
    for arn_, az_i, started, ip in running:
        tid = arn_.rsplit("/", 1)[1]
        resources.append(
            {
                "service": "ecs",
                "type": "Task",
                "item": {
                    "attachments": [
                        {
                            "id": k.uuid(),
                            "type": "ElasticNetworkInterface",
                            "status": "ATTACHED",
                            "details": [
                                {"name": "subnetId", "value": net.private[az_i]},
                                {"name": "networkInterfaceId", "value": k.rid("eni")},
                                {"name": "privateIPv4Address", "value": ip},
                            ],
                        }
                    ],
                    "availabilityZone": k.azs[az_i],
                    "clusterArn": cluster_arn,
                    "connectivity": "CONNECTED",
                    "containers": [
                        {
                            "containerArn": k.arn("ecs", f"container/{cluster}/{tid}/{k.uuid()}"),
                            "taskArn": arn_,
                            "name": svc,
                            "image": image,
                            "imageDigest": digest,
                            "runtimeId": f"{tid}-{r.randint(10**9, 4 * 10**9)}",
                            "lastStatus": "RUNNING",
                            "networkInterfaces": [{"attachmentId": k.uuid(), "privateIpv4Address": ip}],
                            "healthStatus": "HEALTHY",
                            "cpu": "0",
                        }
                    ],
                    "cpu": "1024",
                    "memory": "2048",
                    "createdAt": kr.iso(started - timedelta(seconds=40)),
                    "desiredStatus": "RUNNING",
                    "group": f"service:{svc}",
                    "healthStatus": "HEALTHY",
                    "lastStatus": "RUNNING",
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "pullStartedAt": kr.iso(started - timedelta(seconds=30)),
                    "pullStoppedAt": kr.iso(started - timedelta(seconds=12)),
                    "startedAt": kr.iso(started),
                    "startedBy": deployment_id,
                    "taskArn": arn_,
                    "taskDefinitionArn": td_arn,
                    "version": 3,
                    "ephemeralStorage": {"sizeInGiB": 20},
                },
            }
        )
    resources += stopped_tasks
    repos = [svc, "quote-worker", "rate-card-sync", "tracking-api"]
    for name in repos:
        resources.append(
            {
                "service": "ecr",
                "type": "Repository",
                "item": {
                    "repositoryArn": k.arn("ecr", f"repository/{name}"),
                    "registryId": k.account,
                    "repositoryName": name,
                    "repositoryUri": f"{registry}/{name}",
                    "createdAt": kr.iso(lb_created - timedelta(days=r.randint(1, 90))),
                    "imageTagMutability": "MUTABLE",
                    "imageScanningConfiguration": {"scanOnPush": True},
                    "encryptionConfiguration": {"encryptionType": "AES256"},
                },
            }
        )
    # what DescribeImages still lists for quote-engine: newer builds, never deployed to prod
    newer = []
    for n in range(r.randint(3, 5)):
        pushed = build_day + timedelta(days=r.randint(3, 14), hours=n)
        newer.append(f"{pushed:%Y.%m.%d}-{k.hex(7)}")
        resources.append(
            {
                "service": "ecr",
                "type": "ImageDetail",
                "item": {
                    "registryId": k.account,
                    "repositoryName": svc,
                    "imageDigest": "sha256:" + k.hex(64),
                    "imageTags": [newer[-1]],
                    "imageSizeInBytes": r.randint(88_000_000, 96_000_000),
                    "imagePushedAt": kr.iso(pushed),
                    "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    "artifactMediaType": "application/vnd.docker.container.image.v1+json",
                    "imageStatus": "ACTIVE",
                },
            }
        )
    resources.append(
        {
            "service": "application-autoscaling",
            "type": "ScalableTarget",
            "item": {
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{svc}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": min_tasks,
                "MaxCapacity": max_tasks,
                "RoleARN": asg_role,
                "CreationTime": kr.iso(lb_created + timedelta(days=2)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        }
    )
    resources.append(
        {
            "service": "application-autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "PolicyARN": policy_arn,
                "PolicyName": f"{svc}-cpu-target",
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{svc}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 55.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                    },
                    "ScaleOutCooldown": 60,
                    "ScaleInCooldown": 300,
                    "DisableScaleIn": False,
                },
                "Alarms": [
                    {"AlarmName": a_hi.name, "AlarmARN": a_hi.arn},
                    {"AlarmName": a_lo.name, "AlarmARN": a_lo.arn},
                ],
                "CreationTime": kr.iso(lb_created + timedelta(days=2)),
            },
        }
    )
    resources.append(
        {
            "service": "iam",
            "type": "Role",
            "item": {
                "Path": "/",
                "RoleName": "tw-ecs-task-execution",
                "RoleId": k.principal(),
                "Arn": exec_role,
                "CreateDate": kr.iso(lb_created),
                "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
                "MaxSessionDuration": 3600,
            },
        }
    )
    resources.append(
        {
            "service": "iam",
            "type": "RoleAttachedPolicy",
            "item": {
                "RoleName": "tw-ecs-task-execution",
                "PolicyName": "AmazonECSTaskExecutionRolePolicy",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            },
        }
    )
    resources.append(kr.sns_topic(k, topic))
    resources.append(kr.log_group(k, f"/ecs/{svc}", lb_created, 30))
    resources.append(kr.log_group(k, "/ecs/tracking-api", lb_created, 30))

    # --- CloudTrail -------------------------------------------------------------------------------
    eng = k.sso("PlatformAdmin", "tom.becker@tidewaterfreight.com")
    eng_ip = k.ip(False)
    dev = k.sso("Developer", "ana.silva@tidewaterfreight.com")
    dev_ip = k.ip(False)
    ci = k.role("tw-deploy-pipeline", "codebuild")
    monitor = k.role("datadog-integration", "DatadogAWSIntegration")
    ct = kr.routine_trail(
        k, start, now, 30, kr.common_templates(k, monitor, [(eng, eng_ip), (dev, dev_ip)], "tw-bastion")
    )
    ecr = "ecr.amazonaws.com"
    cli = kr.CLI_UA
    ct.append(
        kr.trail(
            k,
            deleted_at - timedelta(minutes=4),
            ecr,
            "DescribeRepositories",
            eng,
            {},
            None,
            read_only=True,
            ua=cli.format(cmd="ecr.describe-repositories"),
            ip=eng_ip,
        )
    )
    for name in repos[:3]:
        ct.append(
            kr.trail(
                k,
                deleted_at - timedelta(minutes=3, seconds=r.randint(0, 100)),
                ecr,
                "DescribeImages",
                eng,
                {"repositoryName": name, "filter": {"tagStatus": "TAGGED"}, "maxResults": 1000},
                None,
                read_only=True,
                ua=cli.format(cmd="ecr.describe-images"),
                ip=eng_ip,
            )
        )
    old_tags = sorted(
        {f"{build_day - timedelta(days=d):%Y.%m.%d}-{k.hex(7)}" for d in range(1, r.randint(8, 12))}
    )
    ids = [{"imageTag": tg_} for tg_ in old_tags] + [{"imageTag": tag}]
    culprit = kr.trail(
        k,
        deleted_at,
        ecr,
        "BatchDeleteImage",
        eng,
        {"registryId": k.account, "repositoryName": svc, "imageIds": ids},
        {
            "imageIds": [{"imageDigest": "sha256:" + k.hex(64), "imageTag": x["imageTag"]} for x in ids[:-1]]
            + [{"imageDigest": digest, "imageTag": tag}],
            "failures": [],
        },
        read_only=False,
        ua=cli.format(cmd="ecr.batch-delete-image"),
        ip=eng_ip,
        resources=[{"accountId": k.account, "ARN": repo_arn}],
    )
    ct.append(culprit)
    worker_tags = [{"imageTag": f"{build_day - timedelta(days=d):%Y.%m.%d}-{k.hex(7)}"} for d in range(2, 9)]
    ct.append(
        kr.trail(
            k,
            deleted_at + timedelta(minutes=2, seconds=r.randint(0, 50)),
            ecr,
            "BatchDeleteImage",
            eng,
            {"registryId": k.account, "repositoryName": "quote-worker", "imageIds": worker_tags},
            {
                "imageIds": [
                    {"imageDigest": "sha256:" + k.hex(64), "imageTag": x["imageTag"]} for x in worker_tags
                ],
                "failures": [],
            },
            read_only=False,
            ua=cli.format(cmd="ecr.batch-delete-image"),
            ip=eng_ip,
            resources=[{"accountId": k.account, "ARN": k.arn("ecr", "repository/quote-worker")}],
        )
    )
    lifecycle = json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "keep last 30 tagged",
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPatternList": ["20*"],
                        "countType": "imageCountMoreThan",
                        "countNumber": 30,
                    },
                    "action": {"type": "expire"},
                }
            ]
        },
        separators=(",", ":"),
    )
    ct.append(
        kr.trail(
            k,
            onset - timedelta(minutes=r.randint(18, 27)),
            ecr,
            "PutLifecyclePolicy",
            eng,
            {"registryId": k.account, "repositoryName": "rate-card-sync", "lifecyclePolicyText": lifecycle},
            {"registryId": k.account, "repositoryName": "rate-card-sync", "lifecyclePolicyText": lifecycle},
            read_only=False,
            ua=cli.format(cmd="ecr.put-lifecycle-policy"),
            ip=eng_ip,
            resources=[{"accountId": k.account, "ARN": k.arn("ecr", "repository/rate-card-sync")}],
        )
    )
    # tracking-api deploy by the pipeline shortly before the onset
    t_dep = onset - timedelta(minutes=r.randint(6, 14), seconds=r.randint(0, 59))
    trk_rev = r.randint(200, 400)
    ci_ua = "aws-sdk-java/2.29.20 Linux/5.10.228-219.884.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.13+11-LTS Java/17.0.13 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/standard"
    ci_ip = k.ip(False)
    ct.append(
        kr.trail(
            k,
            t_dep,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            ci,
            {
                "family": "tracking-api",
                "containerDefinitions": [
                    {
                        "name": "tracking-api",
                        "image": f"{registry}/tracking-api:{day:%Y.%m.%d}-{k.hex(7)}",
                        "essential": True,
                    }
                ],
                "requiresCompatibilities": ["FARGATE"],
                "networkMode": "awsvpc",
                "cpu": "512",
                "memory": "1024",
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": k.arn("ecs", f"task-definition/tracking-api:{trk_rev}"),
                    "family": "tracking-api",
                    "revision": trk_rev,
                    "status": "ACTIVE",
                }
            },
            read_only=False,
            ua=ci_ua,
            ip=ci_ip,
        )
    )
    ct.append(
        kr.trail(
            k,
            t_dep + timedelta(seconds=r.randint(5, 20)),
            "ecs.amazonaws.com",
            "UpdateService",
            ci,
            {
                "cluster": cluster,
                "service": "tracking-api",
                "taskDefinition": f"tracking-api:{trk_rev}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceArn": k.arn("ecs", f"service/{cluster}/tracking-api"),
                    "serviceName": "tracking-api",
                    "desiredCount": 3,
                    "taskDefinition": k.arn("ecs", f"task-definition/tracking-api:{trk_rev}"),
                }
            },
            read_only=False,
            ua=ci_ua,
            ip=ci_ip,
        )
    )
    exec_ident = k.role("tw-ecs-task-execution", k.hex(32), invoked_by="ecs-tasks.amazonaws.com")
    for n in range(3):
        ct.append(
            kr.trail(
                k,
                t_dep + timedelta(seconds=40 + n * 25),
                ecr,
                "GetAuthorizationToken",
                exec_ident,
                {"registryIds": [k.account]},
                None,
                read_only=True,
                ua="ecs-tasks.amazonaws.com",
                ip="ecs-tasks.amazonaws.com",
            )
        )
    aas = k.role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        invoked_by="application-autoscaling.amazonaws.com",
        path="aws-service-role/ecs.application-autoscaling.amazonaws.com/",
    )
    for t_set, n in desired_at[1:]:
        ct.append(
            kr.trail(
                k,
                t_set + timedelta(seconds=2),
                "ecs.amazonaws.com",
                "UpdateService",
                aas,
                {"cluster": cluster, "service": svc, "desiredCount": n},
                {
                    "service": {
                        "serviceArn": svc_arn,
                        "serviceName": svc,
                        "desiredCount": n,
                        "runningCount": min_tasks,
                    }
                },
                read_only=False,
                ua="application-autoscaling.amazonaws.com",
                ip="application-autoscaling.amazonaws.com",
            )
        )
        for _ in range(n - min_tasks):
            ct.append(
                kr.trail(
                    k,
                    t_set + timedelta(seconds=r.randint(20, 40)),
                    ecr,
                    "GetAuthorizationToken",
                    exec_ident,
                    {"registryIds": [k.account]},
                    None,
                    read_only=True,
                    ua="ecs-tasks.amazonaws.com",
                    ip="ecs-tasks.amazonaws.com",
                )
            )
    ct = [c for c in ct if c["eventTime"] <= kr.iso(now)]
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs -------------------------------------------------------------------------------------
    logs: list[Json] = []
    lanes = ["CHI-ATL", "DAL-MEM", "LAX-PHX", "SEA-PDX", "NWK-BOS", "HOU-SAT", "DEN-SLC"]
    for t in kr.minutes(start, now):
        util = cpu_series[t] / 100
        for arn_, _az, _s, _ip in running:
            tid = arn_.rsplit("/", 1)[1]
            stream = f"{svc}/{svc}/{tid}"
            for _ in range(2):
                lt = t + timedelta(seconds=r.uniform(0, 59.9))
                dur = int(p90_series[t] * 1000 * r.uniform(0.25, 1.0))
                logs.append(
                    {
                        "log_group": f"/ecs/{svc}",
                        "log_stream": stream,
                        "timestamp": kr.ms(lt),
                        "message": json.dumps(
                            {
                                "level": "info",
                                "ts": lt.isoformat().replace("+00:00", "Z"),
                                "caller": "httpapi/server.go:142",
                                "msg": "request",
                                "method": "POST",
                                "path": "/v2/quotes",
                                "lane": r.choice(lanes),
                                "status": 200,
                                "duration_ms": dur,
                            }
                        ),
                    }
                )
            if util > 0.9 and r.random() < 0.5:
                lt = t + timedelta(seconds=r.uniform(0, 59.9))
                logs.append(
                    {
                        "log_group": f"/ecs/{svc}",
                        "log_stream": stream,
                        "timestamp": kr.ms(lt),
                        "message": json.dumps(
                            {
                                "level": "warn",
                                "ts": lt.isoformat().replace("+00:00", "Z"),
                                "caller": "ratecard/client.go:88",
                                "msg": "rate card lookup slow",
                                "lane": r.choice(lanes),
                                "elapsed_ms": r.randint(900, 2600),
                            }
                        ),
                    }
                )
            if util > 0.95 and r.random() < 0.3:
                lt = t + timedelta(seconds=r.uniform(0, 59.9))
                logs.append(
                    {
                        "log_group": f"/ecs/{svc}",
                        "log_stream": stream,
                        "timestamp": kr.ms(lt),
                        "message": json.dumps(
                            {
                                "level": "error",
                                "ts": lt.isoformat().replace("+00:00", "Z"),
                                "caller": "httpapi/server.go:171",
                                "msg": "request failed",
                                "method": "POST",
                                "path": "/v2/quotes",
                                "status": 503,
                                "error": "context deadline exceeded",
                                "duration_ms": 5000,
                            }
                        ),
                    }
                )
        if t.minute % 23 == 11:
            tid = running[r.randint(0, min_tasks - 1)][0].rsplit("/", 1)[1]
            logs.append(
                {
                    "log_group": f"/ecs/{svc}",
                    "log_stream": f"{svc}/{svc}/{tid}",
                    "timestamp": kr.ms(t + timedelta(seconds=31)),
                    "message": json.dumps(
                        {
                            "level": "warn",
                            "ts": kr.iso(t),
                            "caller": "fuel/index.go:57",
                            "msg": "fuel surcharge index older than 24h, using cached",
                            "age_h": 26,
                        }
                    ),
                }
            )
    logs = [x for x in logs if x["timestamp"] <= kr.ms(now)]
    logs.sort(key=lambda x: (x["log_stream"], x["timestamp"]))

    hist = [kr.created_history(a) for a in alarms] + [h for a in alarms for h in a.history]
    slow = min((t for t, v in p90_series.items() if v > 1.0), default=onset + timedelta(minutes=12))
    q_time = slow.astimezone(zone) - timedelta(minutes=r.randint(1, 4))
    question = f"quotes have been crawling since around {q_time.strftime('%-I:%M%p').lower()} and the p90 latency alarm is going off. it's peak time for us, what is going on?"
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": k.account,
            "region": k.region,
            "start": kr.iso(start),
            "end": kr.iso(now),
            "now": kr.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": ZONE},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": repo_arn,
                    "category": "change",
                    "failure_mode": "image-deleted-from-ecr",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [svc, f"{registry}/{svc}", image, f"{svc}:{tag}", digest],
                "actions": ["rollback"],
                "chain": [
                    f"BatchDeleteImage removed tag {tag} (the image's only tag, so the image {digest}) from ECR repository {svc}",
                    f"at the afternoon peak Application Auto Scaling raised {svc} desired count above {min_tasks}",
                    "new Fargate tasks stop with CannotPullContainerError (not found); running count stays at the old size",
                    f"the {min_tasks} running tasks saturate on CPU; p90 latency on tw-quote-engine rises and some requests time out",
                ],
            },
        }
    )
    del prev
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": [a.item() for a in alarms],
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
