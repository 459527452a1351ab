"""Delivery-slot holds lost and then slot reservations failing in the afternoon."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zn import (
    Actor,
    AlarmSpec,
    Ctx,
    Json,
    Metrics,
    aggregate,
    alnum,
    assume_role_by_service,
    diurnal,
    ec2id,
    evaluate_alarm,
    hexs,
    iso,
    jitter,
    mixed_grid,
    ms,
    pick_day,
    role_actor,
    routine_reads,
    scatter,
    sso_actor,
    tags,
    trail,
    uid,
)

NAME = "slot-holds-vanish-afternoon"
TITLE = "Checkout bouncing customers back to the slot picker, then slot reservations failing"
SUMMARY = (
    "Afternoon: delivery-slot holds disappear before checkout and new holds start failing, twenty minutes "
    "after a slots-api deploy."
)

TZ = ZoneInfo("Europe/London")
PEAKS = [(12.5, 2.0, 0.55), (19.5, 2.5, 0.9), (16.0, 2.0, 0.45)]
MAXMEM = 10_161_234_944


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = str(rng.randint(200_000_000_000, 899_999_999_999))
    region = "eu-west-2"
    ctx = Ctx(rng, account, region)
    day = pick_day(rng)
    local_onset = datetime(
        day.year, day.month, day.day, 15, rng.randint(5, 50), rng.randint(0, 59), tzinfo=TZ
    )
    onset = local_onset.astimezone(ZoneInfo("UTC"))
    offset = local_onset.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = (onset - timedelta(hours=30)).replace(minute=0, second=0)
    fine_from = (onset - timedelta(hours=3)).replace(second=0)
    fine_from = fine_from.replace(minute=fine_from.minute - fine_from.minute % 5)
    now = onset + timedelta(minutes=rng.randint(44, 58), seconds=rng.randint(0, 59))
    end = now + timedelta(minutes=1)
    oom_at = onset + timedelta(minutes=rng.randint(9, 14))
    change_at = onset - timedelta(hours=rng.randint(5, 6), minutes=rng.randint(0, 50))
    deploy_at = onset - timedelta(minutes=rng.randint(17, 24))
    snapshot_at = onset - timedelta(minutes=rng.randint(8, 13))

    # --- names and ids ---------------------------------------------------------------------------
    vpc = ec2id(rng, "vpc")
    subnets = [ec2id(rng, "subnet") for _ in range(3)]
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    sg_alb, sg_app, sg_redis = (ec2id(rng, "sg") for _ in range(3))
    alb_hex = hexs(rng, 16)
    alb_name = "greenhaul-api-prod"
    alb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/{alb_name}/{alb_hex}"
    alb_dim = f"app/{alb_name}/{alb_hex}"
    services = ["slots-api", "basket-api", "checkout-api"]
    tg_hex = {s: hexs(rng, 16) for s in services}
    tg_arn = {
        s: f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{s}-tg/{tg_hex[s]}" for s in services
    }
    tg_dim = {s: f"targetgroup/{s}-tg/{tg_hex[s]}" for s in services}
    cluster = "greenhaul-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    rg = "slots-redis"
    nodes = [f"{rg}-001", f"{rg}-002"]
    pg = "slots-redis7"
    td_rev = {
        "slots-api": rng.randint(180, 260),
        "basket-api": rng.randint(90, 140),
        "checkout-api": rng.randint(300, 380),
    }
    version_new = f"3.{rng.randint(30, 60)}.{rng.randint(0, 9)}"
    version_old = version_new.rsplit(".", 1)[0] + f".{rng.randint(0, 9)}" if rng.random() < 0.5 else "3.29.4"
    ecr = f"{account}.dkr.ecr.{region}.amazonaws.com"
    tasks_old = {s: [hexs(rng, 32) for _ in range(3)] for s in services}
    tasks_new = [hexs(rng, 32) for _ in range(3)]
    ips = {
        s: [f"10.42.{10 + i * 16 + rng.randint(0, 3)}.{rng.randint(10, 250)}" for i in range(3)]
        for s in services
    }
    new_ips = [f"10.42.{10 + i * 16 + rng.randint(0, 3)}.{rng.randint(10, 250)}" for i in range(3)]
    sns_arn = f"arn:aws:sns:{region}:{account}:greenhaul-prod-oncall"

    # --- the state of the cache over the two days ---------------------------------------------------
    grid = mixed_grid(start, fine_from, end)
    m = Metrics()

    def load(t: datetime) -> float:
        return diurnal(t, offset, PEAKS)

    # memory rises with the day's browsing; the nightly slot rebuild at 02:30 clears the availability keys
    def rebuild_time(t: datetime) -> datetime:
        lt = t.astimezone(TZ)
        r = lt.replace(hour=2, minute=30, second=0, microsecond=0)
        if lt < r:
            r -= timedelta(days=1)
        return r.astimezone(ZoneInfo("UTC"))

    # calibrate fill so that today the node fills at `onset`, yesterday about 40 minutes earlier
    def integral(a: datetime, b: datetime) -> float:
        s, t = 0.0, a
        while t < b:
            s += load(t)
            t += timedelta(minutes=5)
        return s

    base_pct = 54.0 + rng.uniform(-2, 2)
    k_today = (100 - base_pct) / integral(rebuild_time(onset), onset)
    y_fill = onset - timedelta(days=1) - timedelta(minutes=rng.randint(30, 55))
    k_yday = (100 - base_pct) / integral(rebuild_time(y_fill), y_fill)

    vol_base = rng.randint(34_000, 46_000)
    cum: dict[datetime, float] = {}
    pct_prev = base_pct
    for t in grid:
        rb = rebuild_time(t)
        k = k_today if rb > onset - timedelta(hours=20) else k_yday
        step = 5 if t < fine_from else 1
        if t - rb < timedelta(minutes=step) or not cum:
            pct_prev = base_pct + k * integral(rb, t)
        else:
            pct_prev = pct_prev + k * load(t) * step / 5
        cum[t] = pct_prev

    for t in grid:
        step = 5 if t < fine_from else 1
        lf = load(t)
        raw = cum[t]
        today = t >= rebuild_time(onset)
        pct = min(raw, 99.2 + rng.uniform(0, 0.7)) if raw >= 99.2 else jitter(rng, raw, 0.002)
        full = raw >= 99.2
        # evictions: yesterday (allkeys-lru) steady; today volatile keys only, then nothing to evict
        if full and not today:
            ev = lf * rng.uniform(420, 640) * step
            vol = vol_base * lf / 0.9 * rng.uniform(0.95, 1.05)
        elif full and today:
            since = (t - onset).total_seconds() / 60
            remaining = max(0.0, 1 - since / ((oom_at - onset).total_seconds() / 60))
            vol = vol_base * lf / 0.9 * remaining * rng.uniform(0.9, 1.0) + rng.randint(0, 40)
            ev = (
                (vol_base / ((oom_at - onset).total_seconds() / 60) * rng.uniform(0.8, 1.2) * step)
                if remaining > 0
                else rng.randint(0, 6)
            )
        else:
            ev = 0
            vol = vol_base * lf / 0.9 * rng.uniform(0.95, 1.05)
        items = int(raw * 2_450 + vol) if not full else int(99.5 * 2_450 + vol)
        for node in nodes:
            d = {"CacheClusterId": node, "CacheNodeId": "0001"}
            primary = node == nodes[0]
            m.put(
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                d,
                t,
                round(pct, 3),
                "Percent",
                key=f"mem:{node}",
            )
            if primary:
                m.put("AWS/ElastiCache", "BytesUsedForCache", d, t, int(MAXMEM * pct / 100), "Bytes")
            m.put("AWS/ElastiCache", "CurrItems", d, t, items, "Count")
            m.put("AWS/ElastiCache", "CurrVolatileItems", d, t, int(vol), "Count")
            m.put("AWS/ElastiCache", "Evictions", d, t, int(ev) if primary else 0, "Count", key=f"ev:{node}")
            m.put(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                d,
                t,
                round(jitter(rng, (14 if primary else 4) * lf + 2, 0.08), 2),
                "Percent",
                key=f"ecpu:{node}",
            )
            if primary or t >= fine_from:
                m.put(
                    "AWS/ElastiCache",
                    "CurrConnections",
                    d,
                    t,
                    int(jitter(rng, 66 if primary else 18, 0.04)),
                    "Count",
                )
            if primary:
                reqs = lf * 5200 * step
                miss = 0.09 if not full else 0.14
                m.put(
                    "AWS/ElastiCache",
                    "CacheHits",
                    d,
                    t,
                    int(reqs * (1 - miss) * rng.uniform(0.97, 1.03)),
                    "Count",
                )
                m.put(
                    "AWS/ElastiCache",
                    "CacheMisses",
                    d,
                    t,
                    int(reqs * miss * rng.uniform(0.95, 1.05)),
                    "Count",
                )
            else:
                m.put("AWS/ElastiCache", "ReplicationLag", d, t, round(rng.uniform(0.0, 0.02), 3), "Seconds")

        # ALB and ECS
        total_lb = 0.0
        elb5 = 0
        for s in services:
            base_rpm = {"slots-api": 2400, "basket-api": 3900, "checkout-api": 610}[s]
            n = int(jitter(rng, base_rpm * lf, 0.04)) * step
            total_lb += n
            t5 = rng.choice([0, 0, 0, 0, 0, 1]) if rng.random() < 0.15 else 0
            t4 = int(n * rng.uniform(0.006, 0.012))
            med, tail = {"slots-api": (0.035, 0.4), "basket-api": (0.022, 0.25), "checkout-api": (0.18, 1.4)}[
                s
            ]
            if t >= onset:
                if s == "checkout-api":
                    t4 += int(n * (0.21 if t < oom_at else 0.34) * rng.uniform(0.85, 1.1))
                if s == "slots-api" and t >= oom_at:
                    t5 += int(n * 0.19 * rng.uniform(0.85, 1.1))
                    med *= 1.2
                if s == "slots-api" and t < oom_at:
                    med *= 1.1
            dims = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim[s]}
            m.put("AWS/ApplicationELB", "RequestCount", dims, t, n, "Count", key=f"req:{s}")
            m.put(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                dims,
                t,
                t5,
                "Count",
                sparse=True,
                key=f"5xx:{s}",
            )
            m.put(
                "AWS/ApplicationELB",
                "HTTPCode_Target_4XX_Count",
                dims,
                t,
                t4,
                "Count",
                sparse=True,
                key=f"4xx:{s}",
            )
            m.put_latency(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dims,
                t,
                rng,
                max(1, n // 40),
                med,
                tail,
                key=f"lat:{s}",
            )
            hh = 3.0
            if s == "slots-api" and deploy_at <= t < deploy_at + timedelta(minutes=4):
                hh = 6.0 if t < deploy_at + timedelta(minutes=3) else 4.0
            m.put("AWS/ApplicationELB", "HealthyHostCount", dims, t, hh, "Count")
            sd = {"ClusterName": cluster, "ServiceName": s}
            cpu = {"slots-api": 31, "basket-api": 24, "checkout-api": 19}[s] * lf + 3
            m.put("AWS/ECS", "CPUUtilization", sd, t, round(jitter(rng, cpu, 0.07), 2), "Percent")
            m.put(
                "AWS/ECS",
                "MemoryUtilization",
                sd,
                t,
                round(jitter(rng, {"slots-api": 41, "basket-api": 37, "checkout-api": 52}[s], 0.02), 2),
                "Percent",
            )
            if rng.random() < 0.02:
                elb5 += 1
        m.put("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": alb_dim}, t, total_lb, "Count")
        m.put(
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": alb_dim},
            t,
            elb5,
            "Count",
            sparse=True,
        )

    # --- alarms ------------------------------------------------------------------------------------
    specs = [
        AlarmSpec(
            "slots-api-target-5xx",
            "slots-api targets returning 5xx (prod)",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim["slots-api"]},
            "Sum",
            60,
            3,
            3,
            25.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            sparse=True,
            actions=[sns_arn],
        ),
        AlarmSpec(
            "checkout-api-target-5xx",
            "checkout-api targets returning 5xx (prod)",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim["checkout-api"]},
            "Sum",
            60,
            3,
            3,
            10.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            sparse=True,
            actions=[sns_arn],
        ),
        AlarmSpec(
            "basket-api-p99-latency",
            "basket-api p99 over 1.5s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim["basket-api"]},
            "p99",
            300,
            3,
            3,
            1.5,
            "GreaterThanThreshold",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "slots-redis-engine-cpu",
            "slots-redis primary engine CPU",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            {"CacheClusterId": nodes[0], "CacheNodeId": "0001"},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[sns_arn],
        ),
        AlarmSpec(
            "greenhaul-api-elb-5xx",
            "ALB-generated 5xx on greenhaul-api-prod",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": alb_dim},
            "Sum",
            300,
            1,
            1,
            50.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            sparse=True,
            actions=[sns_arn],
        ),
    ]
    series = {
        "slots-api-target-5xx": aggregate(
            [p for p in m.series["5xx:slots-api"] if p[0] >= fine_from], 60, "Sum"
        ),
        "checkout-api-target-5xx": aggregate(
            [p for p in m.series["5xx:checkout-api"] if p[0] >= fine_from], 60, "Sum"
        ),
        "basket-api-p99-latency": aggregate(m.series["lat:basket-api:p99"], 300, "Maximum"),
        "slots-redis-engine-cpu": aggregate(m.series[f"ecpu:{nodes[0]}"], 300, "Average"),
        "greenhaul-api-elb-5xx": [],
    }
    alarms: list[Json] = []
    history: list[Json] = []
    for spec in specs:
        a, h, _ = evaluate_alarm(ctx, spec, series[spec.name], start, now, rng)
        alarms.append(a)
        history.extend(h)

    # --- resources ---------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 500))
    res: list[Json] = []
    res.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"internal-{alb_name}-{rng.randint(100000000, 999999999)}.{region}.elb.amazonaws.com"
                if False
                else f"{alb_name}-{rng.randint(100000000, 999999999)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": iso(created),
                "LoadBalancerName": alb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": z, "SubnetId": s} for z, s in zip(azs, subnets, strict=True)
                ],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        }
    )
    for s in services:
        res.append(
            {
                "service": "elbv2",
                "type": "TargetGroup",
                "item": {
                    "TargetGroupArn": tg_arn[s],
                    "TargetGroupName": f"{s}-tg",
                    "Protocol": "HTTP",
                    "Port": 8080,
                    "VpcId": vpc,
                    "HealthCheckProtocol": "HTTP",
                    "HealthCheckPort": "traffic-port",
                    "HealthCheckEnabled": True,
                    "HealthCheckIntervalSeconds": 15,
                    "HealthCheckTimeoutSeconds": 5,
                    "HealthyThresholdCount": 3,
                    "UnhealthyThresholdCount": 2,
                    "HealthCheckPath": "/healthz",
                    "Matcher": {"HttpCode": "200"},
                    "LoadBalancerArns": [alb_arn],
                    "TargetType": "ip",
                    "ProtocolVersion": "HTTP1",
                    "IpAddressType": "ipv4",
                },
            }
        )
    res.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 17,
                "pendingTasksCount": 0,
                "activeServicesCount": 5,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "settings": [{"name": "containerInsights", "value": "disabled"}],
            },
        }
    )
    ecs_events: list[Json] = []
    for s in services:
        rev = td_rev[s]
        fam_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{s}"
        svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{s}"
        env = [{"name": "NODE_ENV", "value": "production"}, {"name": "PORT", "value": "8080"}]
        if s in ("slots-api", "checkout-api"):
            env.append(
                {
                    "name": "REDIS_URL",
                    "value": f"rediss://master.{rg}.{alnum(rng, 6, 'abcdefghijklmnopqrstuvwxyz0123456789')}.euw2.cache.amazonaws.com:6379",
                }
            )
        image_tag = (
            version_new
            if s == "slots-api"
            else f"{rng.randint(1, 4)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}"
        )
        td = {
            "taskDefinitionArn": f"{fam_arn}:{rev}",
            "family": s,
            "revision": rev,
            "status": "ACTIVE",
            "containerDefinitions": [
                {
                    "name": s,
                    "image": f"{ecr}/greenhaul/{s}:{image_tag}",
                    "cpu": 0,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "environment": env,
                    "secrets": [
                        {
                            "name": "REDIS_AUTH",
                            "valueFrom": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/{s}/redis-auth-{alnum(rng, 6, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}",
                        }
                    ]
                    if s != "basket-api"
                    else [],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{s}",
                            "awslogs-region": region,
                            "awslogs-stream-prefix": s,
                        },
                    },
                }
            ],
            "taskRoleArn": f"arn:aws:iam::{account}:role/{s}-task",
            "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "compatibilities": ["EC2", "FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "registeredAt": iso(
                deploy_at - timedelta(minutes=2)
                if s == "slots-api"
                else created + timedelta(days=rng.randint(100, 190))
            ),
            "registeredBy": f"arn:aws:sts::{account}:assumed-role/github-actions-deploy/GitHubActions",
        }
        res.append({"service": "ecs", "type": "TaskDefinition", "item": td})
        if s == "slots-api":
            old = json.loads(json.dumps(td))
            old["taskDefinitionArn"] = f"{fam_arn}:{rev - 1}"
            old["revision"] = rev - 1
            old["containerDefinitions"][0]["image"] = f"{ecr}/greenhaul/{s}:{version_old}"
            old["registeredAt"] = iso(start - timedelta(days=rng.randint(2, 6)))
            res.append({"service": "ecs", "type": "TaskDefinition", "item": old})
        dep_time = deploy_at if s == "slots-api" else created + timedelta(days=rng.randint(190, 199))
        events = []
        if s == "slots-api":
            dep_id = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
            for dt, msg in [
                (
                    deploy_at + timedelta(seconds=40),
                    f"(service {s}) has started 3 tasks: (task {tasks_new[0]}) (task {tasks_new[1]}) (task {tasks_new[2]}).",
                ),
                (
                    deploy_at + timedelta(minutes=2, seconds=10),
                    f"(service {s}) registered 3 targets in (target-group {tg_arn[s]})",
                ),
                (
                    deploy_at + timedelta(minutes=2, seconds=50),
                    f"(service {s}) has begun draining connections on 3 tasks.",
                ),
                (
                    deploy_at + timedelta(minutes=2, seconds=51),
                    f"(service {s}) deregistered 3 targets in (target-group {tg_arn[s]})",
                ),
                (
                    deploy_at + timedelta(minutes=3, seconds=52),
                    f"(service {s}) has stopped 3 running tasks: (task {tasks_old[s][0]}) (task {tasks_old[s][1]}) (task {tasks_old[s][2]}).",
                ),
                (
                    deploy_at + timedelta(minutes=5, seconds=8),
                    f"(service {s}) deployment {dep_id} deployment completed.",
                ),
                (
                    deploy_at + timedelta(minutes=5, seconds=9),
                    f"(service {s}) has reached a steady state.",
                ),
            ]:
                ecs_events.append(
                    {
                        "source": "ecs",
                        "item": {
                            "service_arn": svc_arn,
                            "event": {"id": uid(rng), "createdAt": iso(dt), "message": msg},
                        },
                    }
                )
            events = [
                {
                    "id": uid(rng),
                    "createdAt": iso(deploy_at + timedelta(minutes=5, seconds=9)),
                    "message": f"(service {s}) has reached a steady state.",
                }
            ]
        else:
            for hr in range(0, 30, 6):
                et = start + timedelta(hours=hr, minutes=rng.randint(0, 50))
                ecs_events.append(
                    {
                        "source": "ecs",
                        "item": {
                            "service_arn": svc_arn,
                            "event": {
                                "id": uid(rng),
                                "createdAt": iso(et),
                                "message": f"(service {s}) has reached a steady state.",
                            },
                        },
                    }
                )
        res.append(
            {
                "service": "ecs",
                "type": "Service",
                "item": {
                    "serviceArn": svc_arn,
                    "serviceName": s,
                    "clusterArn": cluster_arn,
                    "loadBalancers": [
                        {"targetGroupArn": tg_arn[s], "containerName": s, "containerPort": 8080}
                    ],
                    "status": "ACTIVE",
                    "desiredCount": 3,
                    "runningCount": 3,
                    "pendingCount": 0,
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "taskDefinition": f"{fam_arn}:{rev}",
                    "deploymentConfiguration": {
                        "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                        "maximumPercent": 200,
                        "minimumHealthyPercent": 100,
                    },
                    "deployments": [
                        {
                            "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
                            "status": "PRIMARY",
                            "taskDefinition": f"{fam_arn}:{rev}",
                            "desiredCount": 3,
                            "pendingCount": 0,
                            "runningCount": 3,
                            "failedTasks": 0,
                            "createdAt": iso(dep_time),
                            "updatedAt": iso(dep_time + timedelta(minutes=5)),
                            "launchType": "FARGATE",
                            "platformVersion": "1.4.0",
                            "platformFamily": "Linux",
                            "networkConfiguration": {
                                "awsvpcConfiguration": {
                                    "subnets": subnets,
                                    "securityGroups": [sg_app],
                                    "assignPublicIp": "DISABLED",
                                }
                            },
                            "rolloutState": "COMPLETED",
                            "rolloutStateReason": "ECS deployment " + "completed.",
                        }
                    ],
                    "roleArn": f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
                    "events": events,
                    "createdAt": iso(created),
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": subnets,
                            "securityGroups": [sg_app],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "healthCheckGracePeriodSeconds": 30,
                    "schedulingStrategy": "REPLICA",
                    "deploymentController": {"type": "ECS"},
                    "enableExecuteCommand": False,
                    "tags": [
                        {"key": "team", "value": "fulfilment-platform" if s == "slots-api" else "basket"}
                    ],
                },
            }
        )

    redis_created = created + timedelta(days=rng.randint(20, 80))
    endpoint_id = alnum(rng, 6, "abcdefghijklmnopqrstuvwxyz0123456789")
    res.append(
        {
            "service": "elasticache",
            "type": "ReplicationGroup",
            "item": {
                "ReplicationGroupId": rg,
                "Description": "slot holds, rate limits and slot availability cache",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": nodes,
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {
                            "Address": f"master.{rg}.{endpoint_id}.euw2.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "ReaderEndpoint": {
                            "Address": f"replica.{rg}.{endpoint_id}.euw2.cache.amazonaws.com",
                            "Port": 6379,
                        },
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": nodes[0],
                                "CacheNodeId": "0001",
                                "PreferredAvailabilityZone": azs[0],
                                "CurrentRole": "primary",
                                "ReadEndpoint": {
                                    "Address": f"{nodes[0]}.{rg}.{endpoint_id}.euw2.cache.amazonaws.com",
                                    "Port": 6379,
                                },
                            },
                            {
                                "CacheClusterId": nodes[1],
                                "CacheNodeId": "0001",
                                "PreferredAvailabilityZone": azs[1],
                                "CurrentRole": "replica",
                                "ReadEndpoint": {
                                    "Address": f"{nodes[1]}.{rg}.{endpoint_id}.euw2.cache.amazonaws.com",
                                    "Port": 6379,
                                },
                            },
                        ],
                    }
                ],
                "SnapshottingClusterId": nodes[1],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 3,
                "SnapshotWindow": "01:00-02:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r6g.large",
                "AuthTokenEnabled": True,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}",
                "ReplicationGroupCreateTime": iso(redis_created),
                "DataTiering": "disabled",
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "TransitEncryptionMode": "required",
                "ClusterMode": "disabled",
                "Engine": "redis",
                "LogDeliveryConfigurations": [],
            },
        }
    )
    for i, node in enumerate(nodes):
        res.append(
            {
                "service": "elasticache",
                "type": "CacheCluster",
                "item": {
                    "CacheClusterId": node,
                    "CacheNodeType": "cache.r6g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": azs[i],
                    "CacheClusterCreateTime": iso(redis_created),
                    "PreferredMaintenanceWindow": "sun:03:30-sun:04:30",
                    "PendingModifiedValues": {},
                    "CacheSecurityGroups": [],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": pg,
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": "greenhaul-prod-cache",
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 3 if i == 1 else 0,
                    "SnapshotWindow": "01:00-02:00",
                    "AuthTokenEnabled": True,
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{region}:{account}:cluster:{node}",
                    "ReplicationGroupLogDeliveryEnabled": False,
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                    "TransitEncryptionMode": "required",
                },
            }
        )
    res.append(
        {
            "service": "elasticache",
            "type": "CacheParameterGroup",
            "item": {
                "CacheParameterGroupName": pg,
                "CacheParameterGroupFamily": "redis7",
                "Description": "slots-redis (redis 7)",
                "IsGlobal": False,
                "ARN": f"arn:aws:elasticache:{region}:{account}:parametergroup:{pg}",
            },
        }
    )
    for pname, pval, desc, allowed, src in [
        (
            "maxmemory-policy",
            "volatile-lru",
            "Max memory policy.",
            "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
            "user",
        ),
        ("maxmemory-samples", "3", "Max memory samples.", "1-", "system"),
        (
            "timeout",
            "0",
            "Close connection if client is idle for a given number of seconds, or never if 0.",
            "0,20-",
            "system",
        ),
        (
            "notify-keyspace-events",
            "",
            "The keyspace events for Redis to notify Pub/Sub clients about.",
            "",
            "system",
        ),
        (
            "reserved-memory-percent",
            "25",
            "The percent of memory reserved for non-cache memory usage.",
            "0-100",
            "system",
        ),
        ("maxclients", "65000", "The maximum number of Redis clients.", "1-65000", "system"),
    ]:
        res.append(
            {
                "service": "elasticache",
                "type": "CacheParameterGroupParameter",
                "item": {
                    "CacheParameterGroupName": pg,
                    "ParameterName": pname,
                    "ParameterValue": pval,
                    "Description": desc,
                    "Source": src,
                    "DataType": "string" if not pval.isdigit() else "integer",
                    "AllowedValues": allowed,
                    "IsModifiable": pname != "maxclients",
                    "MinimumEngineVersion": "2.8.6" if pname != "reserved-memory-percent" else "3.2.4",
                    "ChangeType": "immediate" if pname != "maxclients" else "requires-reboot",
                },
            }
        )
    for s in services:
        res.append(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {
                    "logGroupName": f"/ecs/{s}",
                    "creationTime": ms(created),
                    "retentionInDays": 30,
                    "metricFilterCount": 0,
                    "arn": f"arn:aws:logs:{region}:{account}:log-group:/ecs/{s}:*",
                    "storedBytes": rng.randint(10**9, 9 * 10**9),
                    "logGroupClass": "STANDARD",
                    "logGroupArn": f"arn:aws:logs:{region}:{account}:log-group:/ecs/{s}",
                },
            }
        )
    res.append(
        {
            "service": "sns",
            "type": "Topic",
            "item": {
                "TopicArn": sns_arn,
                "Attributes": {
                    "TopicArn": sns_arn,
                    "DisplayName": "",
                    "Owner": account,
                    "SubscriptionsConfirmed": "2",
                    "SubscriptionsPending": "0",
                    "SubscriptionsDeleted": "0",
                    "Policy": json.dumps(
                        {
                            "Version": "2008-10-17",
                            "Id": "__default_policy_ID",
                            "Statement": [
                                {
                                    "Sid": "AllowCloudWatch",
                                    "Effect": "Allow",
                                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                    "Action": "SNS:Publish",
                                    "Resource": sns_arn,
                                }
                            ],
                        }
                    ),
                },
            },
        }
    )
    res.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": {
                "GroupId": sg_redis,
                "GroupName": "slots-redis",
                "Description": "slots-redis access from app tasks",
                "OwnerId": account,
                "VpcId": vpc,
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": 6379,
                        "ToPort": 6379,
                        "IpRanges": [],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [{"GroupId": sg_app, "UserId": account}],
                    }
                ],
                "IpPermissionsEgress": [
                    {
                        "IpProtocol": "-1",
                        "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                        "Ipv6Ranges": [],
                        "PrefixListIds": [],
                        "UserIdGroupPairs": [],
                    }
                ],
                "Tags": tags({"Name": "slots-redis"}),
            },
        }
    )

    # --- target health and ElastiCache events ------------------------------------------------------
    th: list[Json] = []
    for s in services:
        for ip in ips[s]:
            th.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn[s],
                        "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[ips[s].index(ip)]},
                        "health": {"State": "healthy"},
                        "timestamp": iso(start),
                    },
                }
            )
    for i, ip in enumerate(new_ips):
        th.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn["slots-api"],
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": iso(deploy_at + timedelta(minutes=2, seconds=10)),
                },
            }
        )
        th.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn["slots-api"],
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(deploy_at + timedelta(minutes=2, seconds=48)),
                },
            }
        )
    for i, ip in enumerate(ips["slots-api"]):
        th.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn["slots-api"],
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": iso(deploy_at + timedelta(minutes=2, seconds=51)),
                },
            }
        )
        th.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn["slots-api"],
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": iso(deploy_at + timedelta(minutes=3, seconds=52)),
                },
            }
        )
    snap_name = f"slots-redis-manual-{snapshot_at.astimezone(TZ):%Y%m%d-%H%M}"
    ec_events: list[Json] = []
    for back in (1, 0):
        nightly = (
            (onset - timedelta(days=back))
            .astimezone(TZ)
            .replace(hour=1, minute=rng.randint(2, 20))
            .astimezone(ZoneInfo("UTC"))
        )
        if start <= nightly <= now:
            ec_events.append(
                {
                    "source": "elasticache",
                    "item": {
                        "SourceIdentifier": nodes[1],
                        "SourceType": "cache-cluster",
                        "Message": f"Automatic snapshot for cache cluster {nodes[1]} succeeded",
                        "Date": iso(nightly + timedelta(minutes=4)),
                    },
                }
            )
    ec_events.append(
        {
            "source": "elasticache",
            "item": {
                "SourceIdentifier": nodes[1],
                "SourceType": "cache-cluster",
                "Message": f"Snapshot succeeded for snapshot with ID '{snap_name}' of replication group with ID '{rg}'",
                "Date": iso(snapshot_at + timedelta(minutes=3, seconds=rng.randint(0, 59))),
            },
        }
    )

    # --- CloudTrail --------------------------------------------------------------------------------
    office = f"81.{rng.randint(128, 150)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    people = ["priya.raman", "tom.ashworth", "ines.mbeki", "callum.reid", "hana.kowalczyk"]
    rng.shuffle(people)
    domain = "@greenhaul.co.uk"
    platform = sso_actor(ctx, "PlatformEngineer", people[0] + domain, office)
    sre = sso_actor(ctx, "PowerUserAccess", people[1] + domain, office, console=True)
    dev = sso_actor(
        ctx,
        "DeveloperReadOnly",
        people[2] + domain,
        f"86.{rng.randint(1, 200)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        console=True,
    )
    merch = sso_actor(ctx, "PowerUserAccess", people[3] + domain, office, console=True)
    gha_ip = f"20.{rng.randint(20, 200)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    ci = role_actor(
        ctx,
        "github-actions-deploy",
        "GitHubActions",
        gha_ip,
        "aws-sdk-js/3.614.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.15.1 api/ecs#3.614.0",
    )
    graf = role_actor(
        ctx,
        "grafana-cloudwatch-read",
        "grafana",
        f"35.{rng.randint(150, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}",
        "aws-sdk-go/1.51.5 (go1.21.9; linux; amd64)",
    )
    ct: list[Json] = []
    menu: list[tuple[Actor, str, str, Callable[[], Json | None]]] = [
        (graf, "monitoring.amazonaws.com", "GetMetricData", lambda: None),
        (graf, "monitoring.amazonaws.com", "DescribeAlarms", lambda: {"maxRecords": 100}),
        (
            dev,
            "logs.amazonaws.com",
            "FilterLogEvents",
            lambda: {
                "logGroupName": f"/ecs/{rng.choice(services)}",
                "startTime": ms(now) - 3_600_000,
                "interleaved": True,
            },
        ),
        (
            dev,
            "ecs.amazonaws.com",
            "DescribeServices",
            lambda: {"cluster": cluster, "services": [rng.choice(services)]},
        ),
        (sre, "ec2.amazonaws.com", "DescribeSecurityGroups", lambda: {"groupIdSet": {}, "filterSet": {}}),
        (ci, "ecr.amazonaws.com", "GetAuthorizationToken", lambda: None),
        (ci, "ecs.amazonaws.com", "DescribeTaskDefinition", lambda: {"taskDefinition": rng.choice(services)}),
        (graf, "elasticache.amazonaws.com", "DescribeReplicationGroups", lambda: None),
    ]
    ct += routine_reads(ctx, start, now, 34, menu)
    for t in scatter(rng, start, now, 10):
        svc = rng.choice(services)
        ct.append(
            assume_role_by_service(
                ctx, t, "ecs-tasks.amazonaws.com", f"arn:aws:iam::{account}:role/{svc}-task", hexs(rng, 32)
            )
        )
    # the parameter group change, with a look before it
    ct.append(
        trail(
            ctx,
            change_at - timedelta(minutes=6),
            platform,
            "elasticache.amazonaws.com",
            "DescribeCacheParameters",
            {"cacheParameterGroupName": pg, "source": "user"},
            None,
            read_only=True,
        )
    )
    ct.append(
        trail(
            ctx,
            change_at - timedelta(minutes=4),
            platform,
            "elasticache.amazonaws.com",
            "DescribeCacheClusters",
            {"cacheClusterId": nodes[0], "showCacheNodeInfo": True},
            None,
            read_only=True,
        )
    )
    culprit = trail(
        ctx,
        change_at,
        platform,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        {
            "cacheParameterGroupName": pg,
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "volatile-lru"}],
        },
        {"cacheParameterGroupName": pg},
    )
    ct.append(culprit)
    ct.append(
        trail(
            ctx,
            change_at + timedelta(minutes=2),
            platform,
            "elasticache.amazonaws.com",
            "DescribeCacheParameters",
            {"cacheParameterGroupName": pg, "source": "user"},
            None,
            read_only=True,
        )
    )
    # routine writes through the day
    ct.append(
        trail(
            ctx,
            start + timedelta(hours=rng.randint(2, 6), minutes=rng.randint(0, 59)),
            ci,
            "ecs.amazonaws.com",
            "UpdateService",
            {
                "cluster": cluster,
                "service": "basket-api",
                "taskDefinition": f"basket-api:{td_rev['basket-api']}",
                "forceNewDeployment": False,
            },
            {"service": {"serviceName": "basket-api", "status": "ACTIVE", "desiredCount": 3}},
        )
    )
    ct.append(
        trail(
            ctx,
            onset - timedelta(hours=rng.randint(2, 3), minutes=rng.randint(0, 59)),
            sre,
            "autoscaling.amazonaws.com",
            "PutScheduledAction",
            {
                "serviceNamespace": "ecs",
                "scheduledActionName": "checkout-api-evening-peak",
                "resourceId": f"service/{cluster}/checkout-api",
                "scalableDimension": "ecs:service:DesiredCount",
                "schedule": "cron(30 17 * * ? *)",
                "timezone": "Europe/London",
                "scalableTargetAction": {"minCapacity": 4, "maxCapacity": 12},
            },
            None,
        )
    )
    # the slots-api deploy just before the symptoms
    fam = "slots-api"
    ct.append(
        trail(
            ctx,
            deploy_at - timedelta(minutes=2),
            ci,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": fam,
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "containerDefinitions": [
                    {"name": fam, "image": f"{ecr}/greenhaul/{fam}:{version_new}", "essential": True}
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{fam}:{td_rev[fam]}",
                    "family": fam,
                    "revision": td_rev[fam],
                    "status": "ACTIVE",
                }
            },
        )
    )
    ct.append(
        trail(
            ctx,
            deploy_at,
            ci,
            "ecs.amazonaws.com",
            "UpdateService",
            {
                "cluster": cluster,
                "service": fam,
                "taskDefinition": f"{fam}:{td_rev[fam]}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceName": fam,
                    "status": "ACTIVE",
                    "desiredCount": 3,
                    "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{fam}:{td_rev[fam]}",
                }
            },
        )
    )
    # a manual snapshot of the cache (taken on the replica) and a promo-flag tweak, both near the onset
    ct.append(
        trail(
            ctx,
            snapshot_at,
            sre,
            "elasticache.amazonaws.com",
            "CreateSnapshot",
            {"replicationGroupId": rg, "snapshotName": snap_name},
            {
                "snapshotName": snap_name,
                "replicationGroupId": rg,
                "snapshotStatus": "creating",
                "snapshotSource": "manual",
                "cacheNodeType": "cache.r6g.large",
                "engine": "redis",
                "engineVersion": "7.1.0",
            },
        )
    )
    flag_at = onset - timedelta(minutes=rng.randint(2, 7))
    ct.append(
        trail(
            ctx,
            flag_at,
            merch,
            "ssm.amazonaws.com",
            "PutParameter",
            {
                "name": "/greenhaul/prod/basket-api/FREE_DELIVERY_THRESHOLD_GBP",
                "type": "String",
                "overwrite": True,
            },
            {"version": rng.randint(8, 30), "tier": "Standard"},
        )
    )
    ct.append(
        trail(
            ctx,
            onset + timedelta(minutes=rng.randint(16, 30)),
            sre,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": ["slots-api"], "include": ["TAGS"]},
            None,
            read_only=True,
        )
    )
    ct.sort(key=lambda r: r["eventTime"])

    # --- logs --------------------------------------------------------------------------------------
    logs: list[Json] = []
    routes = {
        "slots-api": [
            ("GET", "/v1/slots", 200),
            ("GET", "/v1/slots/availability", 200),
            ("POST", "/v1/slot-holds", 201),
            ("DELETE", "/v1/slot-holds/:id", 204),
        ],
        "basket-api": [
            ("GET", "/v1/basket", 200),
            ("POST", "/v1/basket/items", 200),
            ("PATCH", "/v1/basket/items/:id", 200),
        ],
        "checkout-api": [("POST", "/v1/checkout", 200), ("GET", "/v1/checkout/summary", 200)],
    }

    def task_for(s: str, t: datetime) -> tuple[str, str]:
        if s == "slots-api" and t >= deploy_at + timedelta(minutes=2, seconds=30):
            i = rng.randrange(3)
            return tasks_new[i], new_ips[i]
        i = rng.randrange(3)
        return tasks_old[s][i], ips[s][i]

    def pino(s: str, t: datetime, level: int, msg: str, **extra: object) -> None:
        task, ip = task_for(s, t)
        body = {
            "level": level,
            "time": ms(t),
            "pid": 1,
            "hostname": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
            "service": s,
            "version": version_new
            if s == "slots-api" and t >= deploy_at
            else (version_old if s == "slots-api" else None),
        }
        if body["version"] is None:
            del body["version"]
        body.update(extra)
        body["msg"] = msg
        logs.append(
            {
                "log_group": f"/ecs/{s}",
                "log_stream": f"{s}/{s}/{task}",
                "timestamp": ms(t),
                "message": json.dumps(body, separators=(",", ":")),
            }
        )

    log_from = onset - timedelta(hours=3)
    for t in [x for x in grid if x >= log_from and x < now]:
        lf = load(t)
        for s in services:
            for _ in range(max(1, int(lf * 3))):
                ts = t + timedelta(seconds=rng.uniform(0, 59.9))
                method, path, code = rng.choice(routes[s])
                rt = round(rng.lognormvariate(-3.2 if s != "checkout-api" else -1.8, 0.5) * 1000, 1)
                if s == "checkout-api" and ts >= onset and rng.random() < (0.25 if ts < oom_at else 0.35):
                    method, path, code = "POST", "/v1/checkout", 409
                    pino(
                        s,
                        ts,
                        40,
                        "slot hold not found at checkout",
                        basketId=uid(rng),
                        holdId=f"h_{alnum(rng, 12)}",
                        reqId=f"req-{alnum(rng, 6, 'abcdefghijklmnopqrstuvwxyz0123456789')}",
                    )
                if s == "slots-api" and ts >= oom_at and method == "POST" and rng.random() < 0.85:
                    code = 500
                    pino(
                        s,
                        ts,
                        50,
                        "failed to create slot hold",
                        reqId=f"req-{alnum(rng, 6, 'abcdefghijklmnopqrstuvwxyz0123456789')}",
                        storeId=f"ST{rng.randint(100, 999)}",
                        err={
                            "type": "ReplyError",
                            "message": "OOM command not allowed when used memory > 'maxmemory'.",
                            "stack": "ReplyError: OOM command not allowed when used memory > 'maxmemory'.\n    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                            "command": {
                                "name": "set",
                                "args": [
                                    f"hold:ST{rng.randint(100, 999)}:{(t.astimezone(TZ) + timedelta(days=rng.randint(1, 6))):%Y-%m-%d}:{rng.randint(7, 21):02d}00",
                                    json.dumps(
                                        {"basketId": uid(rng), "heldAt": ms(ts)}, separators=(",", ":")
                                    ),
                                    "EX",
                                    "1200",
                                    "NX",
                                ],
                            },
                        },
                    )
                if s == "slots-api" and ts >= oom_at and rng.random() < 0.2:
                    pino(
                        s,
                        ts,
                        40,
                        "availability cache write failed, serving uncached",
                        err={
                            "type": "ReplyError",
                            "message": "OOM command not allowed when used memory > 'maxmemory'.",
                        },
                    )
                    pino(
                        s,
                        ts,
                        40,
                        "rate limiter unavailable, allowing request",
                        err={
                            "type": "ReplyError",
                            "message": "OOM command not allowed when used memory > 'maxmemory'.",
                            "command": {"name": "incr"},
                        },
                    )
                pino(
                    s,
                    ts,
                    30,
                    "request completed",
                    reqId=f"req-{alnum(rng, 6, 'abcdefghijklmnopqrstuvwxyz0123456789')}",
                    req={"method": method, "url": path.replace(":id", alnum(rng, 10))},
                    res={"statusCode": code},
                    responseTime=rt * (1 if code < 500 else 0.4),
                )
            if s == "basket-api" and rng.random() < 0.01:
                pino(
                    s,
                    t + timedelta(seconds=rng.uniform(0, 59)),
                    40,
                    "promotion engine responded slowly",
                    elapsedMs=rng.randint(800, 1900),
                    upstream="promo-rules",
                )
    for i, task in enumerate(tasks_new):
        t0 = deploy_at + timedelta(seconds=70 + i * 3)
        for msg in [
            "loading config from environment",
            f"connected to redis master.{rg}",
            f"slots-api v{version_new} listening on :8080",
        ]:
            logs.append(
                {
                    "log_group": "/ecs/slots-api",
                    "log_stream": f"slots-api/slots-api/{task}",
                    "timestamp": ms(t0),
                    "message": json.dumps(
                        {
                            "level": 30,
                            "time": ms(t0),
                            "pid": 1,
                            "hostname": f"ip-{new_ips[i].replace('.', '-')}.{region}.compute.internal",
                            "service": "slots-api",
                            "version": version_new,
                            "msg": msg,
                        },
                        separators=(",", ":"),
                    ),
                }
            )
            t0 += timedelta(milliseconds=rng.randint(30, 400))
    for i, task in enumerate(tasks_old["slots-api"]):
        t0 = deploy_at + timedelta(minutes=2, seconds=52 + i)
        logs.append(
            {
                "log_group": "/ecs/slots-api",
                "log_stream": f"slots-api/slots-api/{task}",
                "timestamp": ms(t0),
                "message": json.dumps(
                    {
                        "level": 30,
                        "time": ms(t0),
                        "pid": 1,
                        "hostname": f"ip-{ips['slots-api'][i].replace('.', '-')}.{region}.compute.internal",
                        "service": "slots-api",
                        "version": version_old,
                        "msg": "SIGTERM received, draining",
                    },
                    separators=(",", ":"),
                ),
            }
        )
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    local = onset.astimezone(TZ) + timedelta(minutes=rng.randint(1, 4))
    deploy_local = deploy_at.astimezone(TZ)
    question = (
        f"Since about {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")
        + " customers are being sent back to the delivery slot picker at checkout ('your slot reservation has "
        "expired'), and for the last half hour picking a slot is erroring for a lot of people. slots-api went out at "
        + f"{deploy_local:%-I:%M}. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pg,
                    "category": "change",
                    "failure_mode": "cache-eviction-policy-volatile-only",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [f"arn:aws:elasticache:{region}:{account}:parametergroup:{pg}", rg, nodes[0]],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"{pg} maxmemory-policy changed from allkeys-lru to volatile-lru that morning",
                    f"{nodes[0]} fills up in the afternoon as it does daily; only keys with a TTL may now be evicted",
                    "slot holds (the keys with TTLs) are evicted, so checkout-api finds holds missing (409s)",
                    "once no TTL keys remain, Redis refuses writes with OOM and slots-api fails new holds (500s)",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": res,
            "events": th + ecs_events + ec_events,
        },
    )
