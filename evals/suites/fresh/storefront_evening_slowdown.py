"""Storefront slows down at the start of the evening peak: an overnight scale-in schedule fires in UTC."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_e as k

NAME = "storefront-evening-slowdown"
TITLE = "Storefront slow with 5xx as the evening peak starts"
SUMMARY = (
    "A Terraform change re-puts the ECS service's overnight scale-in scheduled action without its time zone; "
    "it fires in UTC before the evening peak, caps the service at a few tasks, and latency and 5xx climb."
)

_TZ = {"us-east-1": "America/New_York", "us-east-2": "America/Chicago", "us-west-2": "America/Los_Angeles"}


def build(seed: int) -> Bundle:
    ctx = k.Ctx(NAME, seed, region=None)
    rng = ctx.rng
    ctx.region = rng.choice(sorted(_TZ))
    tzname, off = k.REGION_TZ[ctx.region]
    day = k.pick_day(ctx, (0, 1, 2, 3, 4))
    sched_hour = rng.choice([22, 23])  # meant as local time, runs at this hour UTC
    onset = day + timedelta(hours=sched_hour, seconds=rng.randint(2, 40))
    if sched_hour + off < 15:
        sched_hour += 1
        onset += timedelta(hours=1)
    start = k.floor_minute(onset - timedelta(hours=rng.randint(6, 8), minutes=rng.randint(0, 40)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(38, 55))) + timedelta(
        seconds=rng.randint(3, 55)
    )

    brand = rng.choice(["larkspur", "northwind", "tidewater", "copperline"])
    cluster = f"{brand}-prod"
    svc = rng.choice(["storefront-web", "shop-frontend", "web-storefront"])
    worker = rng.choice(["order-events-worker", "cart-reaper", "email-dispatch"])
    alb_name = f"{brand}-web-prod"
    tg_name = f"{svc}-tg"[:32]
    alb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{alb_name}/{ctx.hex(16)}")
    tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{ctx.hex(16)}")
    lb_dim = alb_arn.split(":loadbalancer/")[1]
    tg_dim = tg_arn.split(":")[-1]
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    svc_arn = ctx.arn("ecs", f"service/{cluster}/{svc}")
    worker_arn = ctx.arn("ecs", f"service/{cluster}/{worker}")
    resource_id = f"service/{cluster}/{svc}"
    family = svc
    revision = rng.randint(180, 420)
    td_arn = ctx.arn("ecs", f"task-definition/{family}:{revision}")
    topic = ctx.arn("sns", f"{brand}-pagerduty")
    per_task = rng.uniform(2600, 3200)  # requests/min one task serves at 100% CPU
    peak = rng.uniform(52_000, 70_000)  # requests/min at the evening peak
    day_min, day_max = 6, 40
    night_min, night_max = 2, 4
    scale_in_name = rng.choice(["overnight-scale-in", "nightly-scale-down", "off-hours-min"])
    scale_out_name = rng.choice(["morning-scale-out", "daytime-capacity", "business-hours-min"])
    policy_name = f"{svc}-cpu-target-tracking"
    target_cpu = 50.0

    def demand(t: datetime) -> float:
        return peak * k.diurnal(t, off, peak_hour=19.5, floor=0.18)

    # --- simulate: target tracking before the schedule, capped at the schedule's max after it -------
    sim: dict[datetime, dict[str, float]] = {}
    tasks = max(day_min, math.ceil(demand(start) / (per_task * target_cpu / 100)))
    history: list[tuple[datetime, int, int, str]] = []  # (time, old, new, cause)
    hi_alarm = f"TargetTracking-{resource_id}-AlarmHigh-{ctx.uuid()}"
    lo_alarm = f"TargetTracking-{resource_id}-AlarmLow-{ctx.uuid()}"
    cooldown_until = start
    blocked: list[datetime] = []
    t = start
    capped = False
    while t <= now:
        d = k.count(rng, demand(t))
        if not capped and t >= onset:
            capped = True
            history.append((onset + timedelta(seconds=rng.randint(1, 6)), tasks, night_max, "schedule"))
            tasks = night_max
            cooldown_until = t + timedelta(minutes=3)
        util = d / (tasks * per_task)
        cpu = min(99.6, 100 * util * k.noisy(rng, 1.0, 0.03))
        if t >= cooldown_until and t.minute % 3 == 0:
            want = math.ceil(tasks * cpu / target_cpu)
            if cpu > target_cpu * 1.08:
                if capped:
                    blocked.append(t)
                    cooldown_until = t + timedelta(minutes=5)
                elif want > tasks:
                    history.append(
                        (t + timedelta(seconds=rng.randint(5, 40)), tasks, min(want, day_max), "out")
                    )
                    tasks = min(want, day_max)
                    cooldown_until = t + timedelta(minutes=5)
            elif cpu < target_cpu * 0.8 and not capped and tasks > day_min:
                new = max(day_min, want, tasks - max(1, tasks // 10))
                if new < tasks:
                    history.append((t + timedelta(seconds=rng.randint(5, 40)), tasks, new, "in"))
                    tasks = new
                    cooldown_until = t + timedelta(minutes=15)
        over = max(0.0, util - 0.92)
        rt = 0.085 * k.noisy(rng, 1.0, 0.08) + (0.6 * util**6 if util < 1 else 0.6 + 4.5 * min(over, 1.2))
        elb5 = d * min(0.35, over * 0.45) * k.noisy(rng, 1.0, 0.2) if over > 0 else 0.0
        t5 = (
            d * min(0.05, over * 0.06) * k.noisy(rng, 1.0, 0.2)
            if over > 0
            else (1.0 if rng.random() < 0.1 else 0.0)
        )
        sim[t] = {
            "req": d,
            "tasks": float(tasks),
            "cpu": cpu,
            "rt": min(rt, 9.5),
            "elb5": elb5,
            "t5": t5,
            "mem": k.noisy(rng, 61.0 + (8 if capped else 0), 0.02),
        }
        t += k.MINUTE

    def at(key: str, scale: float = 1.0) -> Any:
        return lambda m: sim[m][key] * scale if m in sim else None

    def nonzero(key: str) -> Any:
        return lambda m: (round(sim[m][key]) or None) if m in sim else None

    ed = {"ClusterName": cluster, "ServiceName": svc}
    cpu_s = k.series(ctx, "AWS/ECS", "CPUUtilization", ed, "Percent", start, now, at("cpu"))
    k.series(ctx, "AWS/ECS", "MemoryUtilization", ed, "Percent", start, now, at("mem"))
    k.series(ctx, "ECS/ContainerInsights", "RunningTaskCount", ed, "Count", start, now, at("tasks"))
    k.series(ctx, "ECS/ContainerInsights", "DesiredTaskCount", ed, "Count", start, now, at("tasks"))
    wd = {"ClusterName": cluster, "ServiceName": worker}
    k.series(
        ctx,
        "AWS/ECS",
        "CPUUtilization",
        wd,
        "Percent",
        start,
        now,
        lambda m: k.noisy(rng, 18 + 14 * k.diurnal(m, off, 19.5), 0.08),
    )
    k.series(ctx, "AWS/ECS", "MemoryUtilization", wd, "Percent", start, now, lambda m: k.noisy(rng, 42, 0.02))
    lbd = {"LoadBalancer": lb_dim}
    both = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    k.series(ctx, "AWS/ApplicationELB", "RequestCount", lbd, "Count", start, now, at("req"), digits=0)
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "RequestCount",
        both,
        "Count",
        start,
        now,
        lambda m: sim[m]["req"] - sim[m]["elb5"] * 0.3 if m in sim else None,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        {"TargetGroup": tg_dim},
        "Count",
        start,
        now,
        lambda m: sim[m]["req"] / sim[m]["tasks"] if m in sim else None,
        digits=0,
    )
    rt_s = k.series(
        ctx, "AWS/ApplicationELB", "TargetResponseTime", lbd, "Seconds", start, now, at("rt"), digits=4
    )
    k.series(ctx, "AWS/ApplicationELB", "TargetResponseTime", both, "Seconds", start, now, at("rt"), digits=4)
    elb5_s = k.series(
        ctx, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, "Count", start, now, nonzero("elb5")
    )
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "HTTPCode_ELB_502_Count",
        lbd,
        "Count",
        start,
        now,
        lambda m: (round(sim[m]["elb5"] * 0.35) or None) if m in sim else None,
    )
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "HTTPCode_ELB_504_Count",
        lbd,
        "Count",
        start,
        now,
        lambda m: (round(sim[m]["elb5"] * 0.65) or None) if m in sim else None,
    )
    k.series(ctx, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", both, "Count", start, now, nonzero("t5"))
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        both,
        "Count",
        start,
        now,
        lambda m: sim[m]["req"] * 0.93 - sim[m]["elb5"] if m in sim else None,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        both,
        "Count",
        start,
        now,
        lambda m: sim[m]["req"] * rng.uniform(0.035, 0.05) if m in sim else None,
        digits=0,
    )
    k.series(ctx, "AWS/ApplicationELB", "HealthyHostCount", both, "Count", start, now, at("tasks"))
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        both,
        "Count",
        start,
        now,
        lambda m: (1.0 if sim[m]["cpu"] > 98 and rng.random() < 0.15 else 0.0) if m in sim else None,
    )
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "ActiveConnectionCount",
        lbd,
        "Count",
        start,
        now,
        lambda m: sim[m]["req"] * 0.21 * (1 + sim[m]["rt"]) if m in sim else None,
        digits=0,
    )
    db = f"{brand}-catalog"
    rd = {"DBClusterIdentifier": db}
    db_cpu = k.series(
        ctx,
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        start,
        now,
        lambda m: 12 + 30 * min(sim[m]["req"], sim[m]["tasks"] * per_task) / peak if m in sim else None,
    )
    k.series(
        ctx,
        "AWS/RDS",
        "DatabaseConnections",
        rd,
        "Count",
        start,
        now,
        lambda m: sim[m]["tasks"] * 10 + rng.randint(3, 9) if m in sim else None,
        digits=0,
    )

    # --- alarms --------------------------------------------------------------------------------------
    lat = k.AlarmSpec(
        f"{alb_name}-target-latency-high",
        "Average target response time above 1.5s",
        rt_s,
        "Average",
        60,
        3,
        3,
        1.5,
        "GreaterThanThreshold",
        "missing",
        [topic],
        [topic],
    )
    lat_tr = k.alarm(ctx, lat, start, now)
    e5 = k.AlarmSpec(
        f"{alb_name}-elb-5xx",
        "ALB-generated 5xx (502/503/504)",
        elb5_s,
        "Sum",
        300,
        1,
        1,
        250.0,
        "GreaterThanThreshold",
        "notBreaching",
        [topic],
        [topic],
    )
    k.alarm(ctx, e5, start, now)
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{svc}-cpu-critical",
            "Service CPU above 90% for 15 minutes",
            cpu_s,
            "Average",
            300,
            3,
            3,
            90.0,
            "GreaterThanThreshold",
            "missing",
            [topic],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{db}-cpu-high",
            "Aurora writer CPU",
            db_cpu,
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            [topic],
        ),
        start,
        now,
    )
    del lat_tr

    # --- scaling activities and ECS events -----------------------------------------------------------
    task_ids = [ctx.hex(32) for _ in range(60)]
    live = task_ids[: history[0][1] if history else tasks]
    spare = task_ids[len(live) :]
    first_tasks = len(live)
    k.steady_state_events(ctx, svc_arn, svc, start, start + timedelta(minutes=30))
    k.steady_state_events(ctx, worker_arn, worker, start, now)
    for when, old, new, why in history:
        if why == "schedule":
            cause = f"scheduled action name {scale_in_name} was triggered"
            desc = f"Setting desired count to {new}."
        elif why == "out":
            cause = f"monitor alarm {hi_alarm} in state ALARM triggered policy {policy_name}"
            desc = f"Setting desired count to {new}."
        else:
            cause = f"monitor alarm {lo_alarm} in state ALARM triggered policy {policy_name}"
            desc = f"Setting desired count to {new}."
        ctx.event(
            "application_autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": resource_id,
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": desc,
                "Cause": cause,
                "StartTime": k.iso_ms(when),
                "EndTime": k.iso_ms(when + timedelta(seconds=rng.randint(20, 60))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set desired count to {new}. Change successfully fulfilled by ecs.",
            },
        )
        if new > old:
            started = [spare.pop(0) for _ in range(new - old)]
            live.extend(started)
            ids = " ".join(f"(task {x})" for x in started)
            k.ecs_event(
                ctx,
                svc_arn,
                when + timedelta(seconds=8),
                f"(service {svc}) has started {len(started)} tasks: {ids}.",
            )
            k.ecs_event(
                ctx,
                svc_arn,
                when + timedelta(seconds=rng.randint(70, 110)),
                f"(service {svc}) registered {len(started)} targets in (target-group {tg_arn})",
            )
        else:
            gone = [live.pop() for _ in range(old - new)]
            ids = " ".join(f"(task {x})" for x in gone)
            k.ecs_event(
                ctx,
                svc_arn,
                when + timedelta(seconds=5),
                f"(service {svc}) has begun draining connections on {len(gone)} tasks.",
            )
            k.ecs_event(
                ctx,
                svc_arn,
                when + timedelta(seconds=6),
                f"(service {svc}) deregistered {len(gone)} targets in (target-group {tg_arn})",
            )
            k.ecs_event(
                ctx,
                svc_arn,
                when + timedelta(seconds=36),
                f"(service {svc}) has stopped {len(gone)} running tasks: {ids}.",
            )
            for x in gone:
                ctx.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": {
                            "Id": f"10.{rng.randint(40, 43)}.{rng.randint(0, 63)}.{rng.randint(4, 250)}",
                            "Port": 8080,
                            "AvailabilityZone": f"{ctx.region}{rng.choice('abc')}",
                        },
                        "health": {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                        "timestamp": k.iso(when + timedelta(seconds=6)),
                    },
                )
                del x
        if when > onset + timedelta(minutes=2):
            continue
        k.ecs_event(
            ctx,
            svc_arn,
            when + timedelta(minutes=rng.randint(3, 5)),
            f"(service {svc}) has reached a steady state.",
        )
    for b in blocked:
        ctx.event(
            "application_autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": resource_id,
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": f"Attempting to set desired count to {min(day_max, math.ceil(night_max * sim[b]['cpu'] / target_cpu))}.",
                "Cause": f"monitor alarm {hi_alarm} in state ALARM triggered policy {policy_name}",
                "StartTime": k.iso_ms(b + timedelta(seconds=rng.randint(5, 40))),
                "EndTime": k.iso_ms(b + timedelta(seconds=rng.randint(41, 50))),
                "StatusCode": "Successful",
                "StatusMessage": "Successfully set desired count to 4. No scaling needed.",
                "NotScaledReasons": [
                    {"Code": "AlreadyAtMaxCapacity", "MaxCapacity": night_max, "CurrentCapacity": night_max}
                ],
            },
        )
    # the targets that stayed, healthy all along; some of them flapping under load at the end
    ips = [f"10.{rng.randint(40, 43)}.{rng.randint(0, 63)}.{rng.randint(4, 250)}" for _ in range(night_max)]
    for i, ip in enumerate(ips):
        target = {"Id": ip, "Port": 8080, "AvailabilityZone": f"{ctx.region}{'abc'[i % 3]}"}
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": target,
                "health": {"State": "healthy"},
                "timestamp": k.iso(start - timedelta(hours=rng.randint(2, 20))),
            },
        )
        if i < 2:
            bad = onset + timedelta(minutes=rng.randint(12, 25))
            if bad < now:
                ctx.event(
                    "target_health",
                    {
                        "target_group_arn": tg_arn,
                        "target": target,
                        "health": {
                            "State": "unhealthy",
                            "Reason": "Target.Timeout",
                            "Description": "Request timed out",
                        },
                        "timestamp": k.iso(bad),
                    },
                )
                back = bad + timedelta(minutes=rng.randint(1, 3))
                if back < now:
                    ctx.event(
                        "target_health",
                        {
                            "target_group_arn": tg_arn,
                            "target": target,
                            "health": {"State": "healthy"},
                            "timestamp": k.iso(back),
                        },
                    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 900))
    vpc = ctx.ec2_id("vpc")
    subnets = [ctx.ec2_id("subnet") for _ in range(3)]
    sg_alb, sg_svc = ctx.ec2_id("sg"), ctx.ec2_id("sg")
    put_time = onset - timedelta(
        hours=rng.randint(2, 4), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59)
    )
    for i, sn in enumerate(subnets):
        ctx.resource(
            "ec2",
            "Subnet",
            {
                "SubnetId": sn,
                "VpcId": vpc,
                "CidrBlock": f"10.{40 + i}.0.0/18",
                "AvailabilityZone": f"{ctx.region}{'abc'[i]}",
                "AvailableIpAddressCount": rng.randint(15000, 16000),
                "State": "available",
                "DefaultForAz": False,
                "MapPublicIpOnLaunch": False,
                "OwnerId": ctx.account,
                "SubnetArn": ctx.arn("ec2", f"subnet/{sn}"),
                "Tags": [{"Key": "Name", "Value": f"{brand}-prod-private-{'abc'[i]}"}],
            },
        )
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": night_max + 3,
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    deploy_id = ctx.hex(19)
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "web", "containerPort": 8080}],
            "status": "ACTIVE",
            "desiredCount": night_max,
            "runningCount": night_max,
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
                    "id": f"ecs-svc/{deploy_id}",
                    "status": "PRIMARY",
                    "taskDefinition": td_arn,
                    "desiredCount": night_max,
                    "pendingCount": 0,
                    "runningCount": night_max,
                    "failedTasks": 0,
                    "createdAt": k.iso_ms(start - timedelta(days=rng.randint(1, 4), hours=3)),
                    "updatedAt": k.iso_ms(onset + timedelta(seconds=40)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc/" + deploy_id + " completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": k.iso_ms(created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg_svc],
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
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": worker_arn,
            "serviceName": worker,
            "clusterArn": cluster_arn,
            "loadBalancers": [],
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": ctx.arn("ecs", f"task-definition/{worker}:{rng.randint(30, 90)}"),
            "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
            "createdAt": k.iso_ms(created),
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg_svc],
                    "assignPublicIp": "DISABLED",
                }
            },
        },
    )
    ctx.resource(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td_arn,
            "family": family,
            "revision": revision,
            "status": "ACTIVE",
            "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/{svc}-task",
            "executionRoleArn": f"arn:aws:iam::{ctx.account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "compatibilities": ["EC2", "FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{svc}:{ctx.hex(7)}",
                    "cpu": 0,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "environment": [
                        {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                        {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{svc}",
                            "awslogs-region": ctx.region,
                            "awslogs-stream-prefix": "web",
                        },
                    },
                }
            ],
            "registeredAt": k.iso_ms(start - timedelta(days=2)),
            "registeredBy": f"arn:aws:sts::{ctx.account}:assumed-role/gha-deploy-{brand}/GitHubActions",
        },
    )
    ctx.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": resource_id,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": night_min,
            "MaxCapacity": night_max,
            "RoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": k.iso_ms(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": ctx.arn(
                "application-autoscaling", f"scalable-target/{ctx.hex(4)}{ctx.hex(28)}"
            ),
        },
    )
    policy_arn = ctx.arn(
        "autoscaling", f"scalingPolicy:{ctx.uuid()}:resource/ecs/{resource_id}:policyName/{policy_name}"
    )
    ctx.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": policy_arn,
            "PolicyName": policy_name,
            "ServiceNamespace": "ecs",
            "ResourceId": resource_id,
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": target_cpu,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 120,
                "ScaleInCooldown": 600,
                "DisableScaleIn": False,
            },
            "Alarms": [
                {"AlarmName": hi_alarm, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{hi_alarm}")},
                {"AlarmName": lo_alarm, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{lo_alarm}")},
            ],
            "CreationTime": k.iso_ms(created),
        },
    )
    sched_in_arn = ctx.arn(
        "autoscaling",
        f"scheduledAction:{ctx.uuid()}:resource/ecs/{resource_id}:scheduledActionName/{scale_in_name}",
    )
    ctx.resource(
        "application-autoscaling",
        "ScheduledAction",
        {
            "ScheduledActionName": scale_in_name,
            "ScheduledActionARN": sched_in_arn,
            "ServiceNamespace": "ecs",
            "Schedule": f"cron(0 {sched_hour} * * ? *)",
            "ResourceId": resource_id,
            "ScalableDimension": "ecs:service:DesiredCount",
            "ScalableTargetAction": {"MinCapacity": night_min, "MaxCapacity": night_max},
            "CreationTime": k.iso_ms(put_time),
        },
    )
    ctx.resource(
        "application-autoscaling",
        "ScheduledAction",
        {
            "ScheduledActionName": scale_out_name,
            "ScheduledActionARN": ctx.arn(
                "autoscaling",
                f"scheduledAction:{ctx.uuid()}:resource/ecs/{resource_id}:scheduledActionName/{scale_out_name}",
            ),
            "ServiceNamespace": "ecs",
            "Schedule": "cron(30 6 * * ? *)",
            "Timezone": tzname,
            "ResourceId": resource_id,
            "ScalableDimension": "ecs:service:DesiredCount",
            "ScalableTargetAction": {"MinCapacity": day_min, "MaxCapacity": day_max},
            "CreationTime": k.iso_ms(created + timedelta(days=30)),
        },
    )
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"{alb_name}-{rng.randint(10**8, 10**9)}.{ctx.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": k.iso_ms(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{ctx.region}{'abc'[i]}", "SubnetId": ctx.ec2_id("subnet")} for i in range(3)
            ],
            "SecurityGroups": [sg_alb],
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
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
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/actuator/health",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    k.log_group(ctx, f"/ecs/{svc}", created, 14)
    k.log_group(ctx, f"/ecs/{worker}", created, 14)
    del first_tasks

    # --- logs: Spring Boot in the web tasks ---------------------------------------------------------
    g = f"/ecs/{svc}"
    kept = [x for x in task_ids if x not in spare][:night_max]
    routes = [
        ("GET", "/api/products/{id}", 35),
        ("GET", "/api/search", 80),
        ("POST", "/api/cart/items", 45),
        ("GET", "/api/cart", 25),
        ("POST", "/api/checkout", 140),
        ("GET", "/", 60),
    ]
    t = start + timedelta(seconds=rng.randint(2, 30))
    thread = 0
    while t < now:
        m = k.floor_minute(t)
        cur = sim.get(m, sim[min(sim)])
        tid = rng.choice(kept if t >= onset else task_ids[:6])
        method, path, base = rng.choice(routes)
        took = base * (1 + cur["rt"] / 0.09 * 0.6 if cur["cpu"] > 90 else 1) * k.noisy(rng, 1.0, 0.25)
        thread = rng.randint(1, 200)
        real = path.replace("{id}", str(rng.randint(10000, 99999)))
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        ctx.log(
            g,
            f"web/web/{tid}",
            t,
            f"{ts}  INFO 1 --- [{svc}] [nio-8080-exec-{thread}] c.{brand}.web.RequestLog : {method} {real} 200 {round(took)}ms",
        )
        if cur["cpu"] > 97 and rng.random() < 0.25:
            ctx.log(
                g,
                f"web/web/{tid}",
                t,
                f"{ts}  WARN 1 --- [{svc}] [l-1 housekeeper] com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m{rng.randint(2, 40)}s{rng.randint(1, 999)}ms).",
            )
        if rng.random() < 0.01:
            ctx.log(
                g,
                f"web/web/{tid}",
                t,
                f"{ts}  WARN 1 --- [{svc}] [nio-8080-exec-{thread}] c.{brand}.pricing.PriceClient : price cache miss storm for sku batch, falling back to db ({rng.randint(20, 80)} skus)",
            )
        t += timedelta(seconds=rng.uniform(6, 14) if t < onset else rng.uniform(3, 7))
    for x in task_ids[night_max:6]:
        tsd = onset + timedelta(seconds=rng.randint(6, 9))
        ctx.log(
            g,
            f"web/web/{x}",
            tsd,
            f"{tsd:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z  INFO 1 --- [{svc}] [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown        : Commencing graceful shutdown. Waiting for active requests to complete",
        )
        ts2 = tsd + timedelta(seconds=rng.randint(2, 20))
        ctx.log(
            g,
            f"web/web/{x}",
            ts2,
            f"{ts2:%Y-%m-%dT%H:%M:%S}.{rng.randint(100, 999)}Z  INFO 1 --- [{svc}] [tomcat-shutdown] o.s.b.w.e.tomcat.GracefulShutdown        : Graceful shutdown complete",
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    dom = f"{brand}.com"
    ana = k.sso_user(
        ctx,
        f"{rng.choice(['ana', 'ben', 'chloe', 'dev'])}.{rng.choice(['ruiz', 'smith', 'kowalski'])}@{dom}",
        "PlatformAdmin",
    )
    omar = k.sso_user(
        ctx,
        f"{rng.choice(['omar', 'jess', 'raj', 'mina'])}.{rng.choice(['ali', 'park', 'brown'])}@{dom}",
        "ReadOnly",
        console=True,
    )
    ci = k.github_ci(ctx, f"gha-deploy-{brand}")
    tf = k.assumed_role(
        ctx,
        "terraform-ci",
        f"atlantis-{rng.randint(100, 999)}",
        k.TERRAFORM.format(api="application_auto_scaling", n=21),
        ci.ip,
    )
    aas = k.service_linked(
        ctx,
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        "application-autoscaling.amazonaws.com",
    )
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": svc}),
        ("ecs.amazonaws.com", "DescribeTasks", {"cluster": cluster, "tasks": [task_ids[0]]}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        ("logs.amazonaws.com", "FilterLogEvents", {"logGroupName": g, "filterPattern": "WARN"}),
        ("rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": db}),
    ]
    k.routine_reads(ctx, start, now, rng.randint(14, 20), [ana, omar], reads)
    for when in k.spread(ctx, start, now, rng.randint(6, 10)):
        k.assume_role_by_service(
            ctx,
            when,
            "ecs-tasks.amazonaws.com",
            f"arn:aws:iam::{ctx.account}:role/{rng.choice([svc, worker])}-task",
            rng.choice(task_ids),
        )
    # Application Auto Scaling's own UpdateService calls, one per activity
    for when, old, new, _ in history:
        k.record(
            ctx,
            when + timedelta(seconds=1),
            aas,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster, "service": svc, "desiredCount": new},
            {
                "service": {
                    "serviceName": svc,
                    "serviceArn": svc_arn,
                    "desiredCount": new,
                    "runningCount": old,
                }
            },
        )
    # Terraform plan/apply that re-created the overnight scheduled action (the schedule lost its time zone)
    k.record(
        ctx,
        put_time - timedelta(seconds=31),
        tf,
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        {
            "serviceNamespace": "ecs",
            "resourceIds": [resource_id],
            "scalableDimension": "ecs:service:DesiredCount",
        },
    )
    k.record(
        ctx,
        put_time - timedelta(seconds=29),
        tf,
        "application-autoscaling.amazonaws.com",
        "DescribeScheduledActions",
        {"serviceNamespace": "ecs", "resourceId": resource_id, "scheduledActionNames": [scale_in_name]},
    )
    culprit = k.record(
        ctx,
        put_time,
        tf,
        "application-autoscaling.amazonaws.com",
        "PutScheduledAction",
        {
            "serviceNamespace": "ecs",
            "schedule": f"cron(0 {sched_hour} * * ? *)",
            "scheduledActionName": scale_in_name,
            "resourceId": resource_id,
            "scalableDimension": "ecs:service:DesiredCount",
            "scalableTargetAction": {"minCapacity": night_min, "maxCapacity": night_max},
        },
        {"scheduledActionARN": sched_in_arn},
    )
    k.record(
        ctx,
        put_time + timedelta(seconds=3),
        tf,
        "application-autoscaling.amazonaws.com",
        "DescribeScheduledActions",
        {"serviceNamespace": "ecs", "resourceId": resource_id, "scheduledActionNames": [scale_in_name]},
    )
    # innocent: a new web task definition registered by CI (not rolled out: awaiting approval)
    reg = onset - timedelta(minutes=rng.randint(10, 24), seconds=rng.randint(0, 59))
    k.record(
        ctx,
        reg,
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": family,
            "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/{svc}-task",
            "executionRoleArn": f"arn:aws:iam::{ctx.account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": "web",
                    "image": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{svc}:{ctx.hex(7)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                }
            ],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": ctx.arn("ecs", f"task-definition/{family}:{revision + 1}"),
                "family": family,
                "revision": revision + 1,
                "status": "ACTIVE",
            }
        },
        cmd="ecs.register-task-definition",
    )
    # innocent: the worker service rolled to a new revision inside the half hour
    wdep = onset + timedelta(minutes=rng.choice([-8, -5, 6, 11]), seconds=rng.randint(0, 59))
    new_worker_td = ctx.arn("ecs", f"task-definition/{worker}:{rng.randint(91, 120)}")
    k.record(
        ctx,
        wdep,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": worker, "taskDefinition": new_worker_td, "forceNewDeployment": False},
        {
            "service": {
                "serviceName": worker,
                "serviceArn": worker_arn,
                "taskDefinition": new_worker_td,
                "desiredCount": 3,
                "runningCount": 3,
            }
        },
        cmd="ecs.update-service",
    )
    k.ecs_event(
        ctx,
        worker_arn,
        wdep + timedelta(seconds=20),
        f"(service {worker}) has started 3 tasks: "
        + " ".join(f"(task {ctx.hex(32)})" for _ in range(3))
        + ".",
    )
    k.ecs_event(
        ctx, worker_arn, wdep + timedelta(minutes=4), f"(service {worker}) has reached a steady state."
    )
    # innocent: someone raises the ALB idle timeout a bit earlier in the day
    k.record(
        ctx,
        start + timedelta(minutes=rng.randint(40, 120)),
        ana,
        "elasticloadbalancing.amazonaws.com",
        "ModifyLoadBalancerAttributes",
        {"loadBalancerArn": alb_arn, "attributes": [{"key": "idle_timeout.timeout_seconds", "value": "75"}]},
        {"attributes": [{"key": "idle_timeout.timeout_seconds", "value": "75"}]},
    )

    q_local = (onset + timedelta(hours=off)).strftime("%-I:%M%p").lower().replace(":00", "")
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": rng.choice(
                    [
                        f"storefront has been crawling since about {q_local}, p99 through the roof and customers seeing 502/504s. what's going on?",
                        f"we're getting paged for {alb_name} latency and 5xx, started around {q_local}. nothing was deployed to web today afaik. why?",
                    ]
                ),
                "alarm_event": None,
                "timezone": tzname,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": scale_in_name,
                    "category": "change",
                    "failure_mode": "scheduled-scale-in-wrong-timezone",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [sched_in_arn, resource_id, svc],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    f"PutScheduledAction re-creates {scale_in_name} with cron(0 {sched_hour} * * ? *) and no Timezone (UTC)",
                    f"it fires at {sched_hour}:00 UTC, before the local evening peak, setting {svc} to min {night_min}/max {night_max}",
                    f"{svc} drops to {night_max} tasks; target tracking cannot scale out (AlreadyAtMaxCapacity)",
                    f"tasks saturate CPU; {alb_name} target response time and ELB 502/504 climb",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
