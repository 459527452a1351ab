"""dispatch-api containers OOM-killed after a task definition trimmed their hard memory limit."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzo as kit

NAME = "dispatch-api-task-memory-cut"
TITLE = "Ride offers dropping and 502s from the dispatch ALB through the afternoon peak"
SUMMARY = (
    "A right-sizing change halved dispatch-api's container memory limit; tasks are OOM-killed under load."
)


def build(seed: int) -> Bundle:
    c = kit.Ctx(seed, NAME, 14, 35)
    r = c.rng
    old_rev = c.api_rev
    c.api_rev = old_rev + 1
    new_rev = c.api_rev
    deploy = c.onset - timedelta(minutes=r.randint(6, 12))
    done = deploy + timedelta(minutes=r.randint(5, 8))
    arn = f"arn:aws:ecs:{c.region}:{c.account}"

    # OOM kills: each minute after the deploy finished, at load, some tasks die
    kills: list[datetime] = []
    t = c.onset
    while t < c.now:
        kills.append(t)
        t += timedelta(minutes=r.randint(2, 5), seconds=r.randint(0, 59))

    def after(t: datetime) -> bool:
        return t >= c.onset

    def near_kill(t: datetime) -> int:
        return sum(1 for k in kills if timedelta(0) <= t - k < timedelta(minutes=2))

    hooks: dict[str, kit.Hook] = {
        "elb_5xx": lambda t, v: v + near_kill(t) * r.randint(40, 110) if after(t) else v,
        "alb_5xx": lambda t, v: v + near_kill(t) * r.randint(5, 20) if after(t) else v,
        "healthy": lambda t, v: v - min(near_kill(t), 3) if after(t) else v,
        "unhealthy": lambda t, v: float(min(near_kill(t), 3)) if after(t) else v,
        "alb_latency": lambda t, v: v * (1.8 + 0.5 * near_kill(t)) if after(t) else v,
        "dispatch-api_mem": lambda t, v: (
            r.uniform(86, 99) if after(t) else (v * 1.6 + r.uniform(0, 4) if t >= done else v)
        ),
        "dispatch-api_cpu": lambda t, v: v * 1.25 if after(t) else v,
        "redis0_conn": lambda t, v: v + near_kill(t) * 8,
    }
    kit.base(c, hooks, api_memory=1024)
    # the earlier revision, still ACTIVE
    c.resource(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": f"{arn}:task-definition/dispatch-api:{old_rev}",
            "family": "dispatch-api",
            "revision": old_rev,
            "taskRoleArn": c.ecs_role,
            "executionRoleArn": c.exec_role,
            "networkMode": "bridge",
            "status": "ACTIVE",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                {
                    "name": "dispatch-api",
                    "image": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/dispatch-api:{c.image_tag}",
                    "cpu": 1024,
                    "memory": 2048,
                    "memoryReservation": 1024,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}],
                }
            ],
            "registeredAt": kit.iso(c.start - timedelta(days=r.randint(3, 9))),
        },
    )
    who = c.user(r.choice(c.people))
    tf = "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1"
    c.ct(
        deploy - timedelta(seconds=20),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        who,
        {
            "family": "dispatch-api",
            "taskRoleArn": c.ecs_role,
            "executionRoleArn": c.exec_role,
            "networkMode": "bridge",
            "requiresCompatibilities": ["EC2"],
            "containerDefinitions": [
                {
                    "name": "dispatch-api",
                    "image": f"{c.account}.dkr.ecr.{c.region}.amazonaws.com/dispatch-api:{c.image_tag}",
                    "cpu": 1024,
                    "memory": 1024,
                    "memoryReservation": 1024,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 0, "protocol": "tcp"}],
                }
            ],
            "tags": [{"key": "cost-review", "value": "2026-q-rightsizing"}],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"{arn}:task-definition/dispatch-api:{new_rev}",
                "family": "dispatch-api",
                "revision": new_rev,
                "status": "ACTIVE",
                "requiresCompatibilities": ["EC2"],
            }
        },
        False,
        tf,
    )
    culprit = c.ct(
        deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        who,
        {"cluster": c.cluster, "service": "dispatch-api", "taskDefinition": f"dispatch-api:{new_rev}"},
        {
            "service": {
                "serviceName": "dispatch-api",
                "serviceArn": f"{arn}:service/{c.cluster}/dispatch-api",
                "status": "ACTIVE",
                "desiredCount": 12,
                "taskDefinition": f"{arn}:task-definition/dispatch-api:{new_rev}",
            }
        },
        False,
        tf,
    )
    # also in the same terraform apply: an innocent log retention change
    c.ct(
        deploy - timedelta(seconds=35),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        who,
        {"logGroupName": "/ecs/ride-matcher", "retentionInDays": 30},
        None,
        False,
        tf,
    )
    svc_arn = f"{arn}:service/{c.cluster}/dispatch-api"

    def ev(t: datetime, msg: str) -> None:
        c.event(
            "ecs", {"service_arn": svc_arn, "event": {"id": c.uid(), "createdAt": kit.iso(t), "message": msg}}
        )

    ev(
        deploy + timedelta(seconds=30),
        f"(service dispatch-api) has started 6 tasks: (task {kit.task_id(c)}) "
        f"(task {kit.task_id(c)}) (task {kit.task_id(c)}) (task {kit.task_id(c)}) (task {kit.task_id(c)}) "
        f"(task {kit.task_id(c)}).",
    )
    ev(done, "(service dispatch-api) has reached a steady state.")
    ev(
        done + timedelta(seconds=5),
        f"(service dispatch-api) (deployment ecs-svc/{r.randint(10**18, 10**19)}) deployment completed.",
    )
    tasks = [kit.task_id(c) for _ in range(12)]
    for tk in tasks:
        kit.api_request_logs(c, tk, c.start if tk != tasks[0] else done, c.onset, 120)
    for n, k in enumerate(kills):
        dead = kit.task_id(c)
        kit.api_startup_logs(c, dead, done - timedelta(minutes=3))
        kit.api_request_logs(c, dead, done, k, 40)
        c.log(
            "/ecs/dispatch-api",
            f"ecs/dispatch-api/{dead}",
            k - timedelta(seconds=8),
            f"{(k - timedelta(seconds=8)).strftime('%Y-%m-%dT%H:%M:%S')}.114Z  WARN 1 --- [dispatch-pool-3] "
            "c.r.dispatch.offer.OfferService       : offer fan-out queue depth 412, falling behind",
        )
        ev(k + timedelta(seconds=20), f"(service dispatch-api) has stopped 1 running tasks: (task {dead}).")
        ev(k + timedelta(seconds=50), f"(service dispatch-api) has started 1 tasks: (task {kit.task_id(c)}).")
        if n < 3:
            c.resource(
                "ecs",
                "Task",
                {
                    "taskArn": f"{arn}:task/{c.cluster}/{dead}",
                    "clusterArn": c.cluster_arn,
                    "taskDefinitionArn": f"{arn}:task-definition/dispatch-api:{new_rev}",
                    "containerInstanceArn": f"{arn}:container-instance/{c.cluster}/{kit.task_id(c)}",
                    "group": "service:dispatch-api",
                    "lastStatus": "STOPPED",
                    "desiredStatus": "STOPPED",
                    "launchType": "EC2",
                    "capacityProviderName": c.cp,
                    "createdAt": kit.iso(done - timedelta(minutes=3)),
                    "startedAt": kit.iso(done - timedelta(minutes=2)),
                    "stoppingAt": kit.iso(k),
                    "stoppedAt": kit.iso(k + timedelta(seconds=20)),
                    "stopCode": "EssentialContainerExited",
                    "stoppedReason": "Essential container in task exited",
                    "containers": [
                        {
                            "containerArn": f"{arn}:container/{c.cluster}/{dead}/{c.uid()}",
                            "taskArn": f"{arn}:task/{c.cluster}/{dead}",
                            "name": "dispatch-api",
                            "lastStatus": "STOPPED",
                            "exitCode": 137,
                            "reason": "OutOfMemoryError: Container killed due to memory usage",
                            "memory": "1024",
                            "memoryReservation": "1024",
                        }
                    ],
                },
            )
    # ride-matcher sees the 502s
    for k in kills:
        for _ in range(r.randint(2, 5)):
            t2 = k + timedelta(seconds=r.randint(1, 90))
            c.log(
                "/ecs/ride-matcher",
                f"ecs/ride-matcher/{c.hex(32)}",
                t2,
                f'level=error ts={kit.iso(t2)} caller=offers.go:212 msg="dispatch-api call failed" '
                'status=502 path=/v1/offers err="502 Bad Gateway"',
            )

    lb = {"LoadBalancer": c.lb_suffix}
    first = c.onset + timedelta(minutes=3)
    a = c.alarm(
        "dispatch-alb-elb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        lb,
        "Sum",
        60,
        3,
        50.0,
        "GreaterThanThreshold",
        "ALARM",
        first,
        "Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold (50.0).",
        "ALB-generated 5xx on the dispatch ALB",
        "notBreaching",
        2,
    )
    c.history(a, first, "OK", "ALARM", a["StateReason"])
    c.alarm(
        "dispatch-api-latency-p99",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        lb,
        "Average",
        60,
        5,
        0.5,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=2),
        "Threshold Crossed: 5 datapoints were not greater than the threshold (0.5).",
        "dispatch latency",
    )
    c.alarm(
        "driver-geo-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{c.redis}-001", "CacheNodeId": "0001"},
        "Average",
        300,
        3,
        70.0,
        "GreaterThanThreshold",
        "OK",
        c.start - timedelta(days=6),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (70.0).",
        "geo index CPU",
    )
    ft = c.alarm(
        "trip-notifier-push-failures",
        "AWS/SNS",
        "NumberOfNotificationsFailed",
        {"Application": "ridego-driver-fcm", "Platform": "GCM"},
        "Sum",
        300,
        1,
        10.0,
        "GreaterThanThreshold",
        "OK",
        c.start + timedelta(minutes=70),
        "Threshold Crossed: 1 datapoint [3.0] was not greater than the threshold (10.0).",
        "FCM push failures",
    )
    c.history(
        ft,
        c.start + timedelta(minutes=55),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [14.0] was greater than the threshold (10.0).",
    )
    c.history(ft, c.start + timedelta(minutes=70), "ALARM", "OK", ft["StateReason"])
    q = (
        f"drivers say ride offers keep vanishing since about {kit.local_clock(c, c.onset)} and riders get "
        "'something went wrong' now and then when booking. is redis acting up again?"
    )
    return c.bundle(
        TITLE,
        {
            "question": q,
            "timezone": kit.ZONES[c.region],
            "alarm_event": c.alarm_event(a, first, a["StateReason"]),
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": f"{arn}:task-definition/dispatch-api:{new_rev}",
                "category": "change",
                "failure_mode": "container-memory-limit-too-low",
                "event_id": culprit,
            },
            "also_accept": ["dispatch-api", f"dispatch-api:{new_rev}", svc_arn],
            "actions": ["rollback"],
            "chain": [f"dispatch-api:{new_rev}", "dispatch-api", "dispatch-api-tg", "dispatch-alb"],
        },
    )
