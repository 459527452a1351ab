"""Quote API loses most of its tasks at once: Fargate Spot reclaims them and cannot replace them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_e as k

NAME = "quote-api-capacity-drop"
TITLE = "Quote API timeouts and 5xx late morning"
SUMMARY = (
    "Most of an ECS service's Fargate Spot tasks are interrupted within minutes (SpotInterruption) and "
    "replacements cannot be placed (Spot capacity unavailable); the two on-demand tasks are overloaded."
)


def build(seed: int) -> Bundle:
    ctx = k.Ctx(NAME, seed)
    rng = ctx.rng
    tzname, off = k.REGION_TZ[ctx.region]
    day = k.pick_day(ctx, (0, 1, 2, 3, 4))
    onset = k.local_time(ctx, day, rng.choice([10, 11]), rng.randint(0, 59)) + timedelta(
        seconds=rng.randint(0, 59)
    )
    start = k.floor_minute(onset - timedelta(hours=rng.randint(4, 6), minutes=rng.randint(0, 59)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(40, 55))) + timedelta(
        seconds=rng.randint(3, 55)
    )

    org = rng.choice(["harbor", "kestrel", "mosaic", "plover"])
    cluster = f"{org}-pricing-prod"
    svc = rng.choice(["quote-engine", "quote-api", "rating-service"])
    other = rng.choice(["quote-admin", "broker-portal-api"])
    az = [f"{ctx.region}{x}" for x in "abc"]
    desired = rng.choice([10, 12, 12, 14])
    base_od = 2
    spot_n = desired - base_od
    n_int = rng.randint(spot_n - 3, spot_n - 1)  # interrupted Spot tasks
    recovered = rng.randint(1, 2)
    per_task = rng.uniform(950, 1200)  # requests/min a task serves at 100% CPU
    peak = desired * per_task * rng.uniform(0.38, 0.48)
    alb_name = f"{org}-pricing-int"
    tg_name = f"{svc}-tg"
    alb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{alb_name}/{ctx.hex(16)}")
    tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{ctx.hex(16)}")
    tg2_arn = ctx.arn("elasticloadbalancing", f"targetgroup/{other}-tg/{ctx.hex(16)}")
    lb_dim = alb_arn.split(":loadbalancer/")[1]
    tg_dim = tg_arn.split(":")[-1]
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    svc_arn = ctx.arn("ecs", f"service/{cluster}/{svc}")
    other_arn = ctx.arn("ecs", f"service/{cluster}/{other}")
    rev = rng.randint(60, 240)
    td_arn = ctx.arn("ecs", f"task-definition/{svc}:{rev}")
    topic = ctx.arn("sns", f"{org}-pricing-alerts")
    db = f"{org}-rating-db"

    # tasks: on-demand base, then Spot
    tasks: list[dict[str, Any]] = []
    for i in range(desired):
        tasks.append(
            {
                "id": ctx.hex(32),
                "cp": "FARGATE" if i < base_od else "FARGATE_SPOT",
                "az": az[i % 3],
                "ip": f"10.{60 + i % 3}.{rng.randint(0, 31)}.{rng.randint(4, 250)}",
                "started": start - timedelta(hours=rng.randint(5, 70), minutes=rng.randint(0, 59)),
            }
        )
    spot = [x for x in tasks if x["cp"] == "FARGATE_SPOT"]
    hit_azs = set(rng.sample(az, 2))
    victims = [x for x in spot if x["az"] in hit_azs][:n_int]
    if len(victims) < n_int:
        victims += [x for x in spot if x not in victims][: n_int - len(victims)]
    for j, v in enumerate(victims):
        v["notice"] = onset + timedelta(seconds=rng.randint(0, 200) + j * 5)
        v["stopped"] = v["notice"] + timedelta(seconds=rng.randint(118, 125))
    back: list[dict[str, Any]] = []
    for j in range(recovered):
        b_az = rng.choice([a for a in az if a not in hit_azs] or az)
        back.append(
            {
                "id": ctx.hex(32),
                "cp": "FARGATE_SPOT",
                "az": b_az,
                "ip": f"10.{60 + az.index(b_az)}.{rng.randint(0, 31)}.{rng.randint(4, 250)}",
                "started": onset + timedelta(minutes=rng.randint(22, 34) + j * 4, seconds=rng.randint(0, 59)),
            }
        )

    def running(t: datetime) -> int:
        n = sum(1 for x in tasks if "stopped" not in x or x["stopped"] > t)
        return n + sum(1 for x in back if x["started"] + timedelta(seconds=70) <= t)

    def demand(t: datetime) -> float:
        return peak * k.diurnal(t, off, peak_hour=12.5, floor=0.2)

    sim: dict[datetime, dict[str, float]] = {}
    for m in k.minutes(start, now):
        d = k.count(rng, demand(m))
        r = running(m + timedelta(seconds=59))
        util = d / (r * per_task)
        over = max(0.0, util - 0.9)
        rt = 0.045 * k.noisy(rng, 1, 0.1) + (0.3 * util**8 if util < 1 else 0.3 + 6 * min(over, 1.0))
        e5 = d * min(0.4, over * 0.5) * k.noisy(rng, 1, 0.2) if over > 0 else 0.0
        sim[m] = {
            "req": d,
            "run": float(r),
            "cpu": min(99.5, 100 * util * k.noisy(rng, 1, 0.03)),
            "rt": min(rt, 9.8),
            "e5": e5,
            "t5": (d * 0.02 * min(1, over) if over > 0 else 0.0),
        }

    def at(key: str) -> Any:
        return lambda m: sim[m][key] if m in sim else None

    def nz(key: str, f: float = 1.0) -> Any:
        return lambda m: (round(sim[m][key] * f) or None) if m in sim else None

    ed = {"ClusterName": cluster, "ServiceName": svc}
    cpu_s = k.series(ctx, "AWS/ECS", "CPUUtilization", ed, "Percent", start, now, at("cpu"))
    k.series(ctx, "AWS/ECS", "MemoryUtilization", ed, "Percent", start, now, lambda m: k.noisy(rng, 47, 0.03))
    k.series(ctx, "ECS/ContainerInsights", "RunningTaskCount", ed, "Count", start, now, at("run"))
    k.series(
        ctx, "ECS/ContainerInsights", "DesiredTaskCount", ed, "Count", start, now, lambda m: float(desired)
    )
    k.series(
        ctx,
        "ECS/ContainerInsights",
        "PendingTaskCount",
        ed,
        "Count",
        start,
        now,
        lambda m: float(
            desired - sim[m]["run"]
            if m in sim and sim[m]["run"] < desired and m > onset + timedelta(minutes=3)
            else 0
        ),
    )
    od = {"ClusterName": cluster, "ServiceName": other}
    k.series(ctx, "AWS/ECS", "CPUUtilization", od, "Percent", start, now, lambda m: k.noisy(rng, 9, 0.2))
    k.series(ctx, "AWS/ECS", "MemoryUtilization", od, "Percent", start, now, lambda m: k.noisy(rng, 33, 0.03))
    lbd = {"LoadBalancer": lb_dim}
    both = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "RequestCount",
        lbd,
        "Count",
        start,
        now,
        lambda m: sim[m]["req"] * 1.04 if m in sim else None,
        digits=0,
    )
    k.series(ctx, "AWS/ApplicationELB", "RequestCount", both, "Count", start, now, at("req"), digits=0)
    rt_s = k.series(
        ctx, "AWS/ApplicationELB", "TargetResponseTime", both, "Seconds", start, now, at("rt"), digits=4
    )
    k.series(ctx, "AWS/ApplicationELB", "TargetResponseTime", lbd, "Seconds", start, now, at("rt"), digits=4)
    e5_s = k.series(ctx, "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, "Count", start, now, nz("e5"))
    k.series(ctx, "AWS/ApplicationELB", "HTTPCode_ELB_504_Count", lbd, "Count", start, now, nz("e5", 0.8))
    k.series(ctx, "AWS/ApplicationELB", "HTTPCode_ELB_502_Count", lbd, "Count", start, now, nz("e5", 0.2))
    k.series(ctx, "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", both, "Count", start, now, nz("t5"))
    k.series(
        ctx,
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        both,
        "Count",
        start,
        now,
        lambda m: sim[m]["req"] - sim[m]["e5"] - sim[m]["t5"] if m in sim else None,
        digits=0,
    )
    hh = k.series(ctx, "AWS/ApplicationELB", "HealthyHostCount", both, "Count", start, now, at("run"))
    k.series(ctx, "AWS/ApplicationELB", "UnHealthyHostCount", both, "Count", start, now, lambda m: 0.0)
    rd = {"DBInstanceIdentifier": db}
    db_cpu = k.series(
        ctx,
        "AWS/RDS",
        "CPUUtilization",
        rd,
        "Percent",
        start,
        now,
        lambda m: 14 + 35 * min(sim[m]["req"], sim[m]["run"] * per_task) / peak if m in sim else None,
    )
    k.series(
        ctx,
        "AWS/RDS",
        "DatabaseConnections",
        rd,
        "Count",
        start,
        now,
        lambda m: sim[m]["run"] * 8 + 14 + rng.randint(0, 4) if m in sim else None,
        digits=0,
    )
    k.series(
        ctx,
        "AWS/RDS",
        "ReadLatency",
        rd,
        "Seconds",
        start,
        now,
        lambda m: k.noisy(rng, 0.0011, 0.15),
        digits=5,
    )

    e5a = k.AlarmSpec(
        f"{svc}-alb-5xx",
        f"{svc}: ALB 5xx above 50/min",
        e5_s,
        "Sum",
        60,
        3,
        3,
        50.0,
        "GreaterThanThreshold",
        "notBreaching",
        [topic],
        [topic],
    )
    e5_tr = k.alarm(ctx, e5a, start, now)
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{svc}-p-latency",
            f"{svc}: target response time > 2s",
            rt_s,
            "Average",
            60,
            5,
            5,
            2.0,
            "GreaterThanThreshold",
            "missing",
            [topic],
            [topic],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{svc}-healthy-hosts-low",
            f"{svc}: fewer than 3 healthy targets",
            hh,
            "Minimum",
            60,
            3,
            3,
            3.0,
            "LessThanThreshold",
            "breaching",
            [topic],
            [topic],
        ),
        start,
        now,
    )
    k.alarm(
        ctx,
        k.AlarmSpec(
            f"{svc}-cpu-high",
            f"{svc}: service CPU",
            cpu_s,
            "Average",
            300,
            2,
            2,
            85.0,
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
            f"{db}-cpu",
            "rating db CPU",
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
    fire = next(tr for tr in e5_tr if tr.new == "ALARM")

    # --- ECS: events, tasks, target health -----------------------------------------------------------
    k.steady_state_events(ctx, svc_arn, svc, start, onset)
    k.steady_state_events(ctx, other_arn, other, start, now)
    for v in victims:
        k.ecs_event(
            ctx,
            svc_arn,
            v["stopped"] + timedelta(seconds=2),
            f"(service {svc}) has stopped 1 running tasks: (task {v['id']}).",
        )
        k.ecs_event(
            ctx,
            svc_arn,
            v["notice"] + timedelta(seconds=1),
            f"(service {svc}) deregistered 1 targets in (target-group {tg_arn})",
        )
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": v["ip"], "Port": 8080, "AvailabilityZone": v["az"]},
                "health": {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
                "timestamp": k.iso(v["notice"] + timedelta(seconds=1)),
            },
        )
    t = min(v["stopped"] for v in victims) + timedelta(seconds=rng.randint(5, 20))
    placed = 0
    while t < now:
        if placed < len(back) and t >= back[placed]["started"]:
            b = back[placed]
            k.ecs_event(ctx, svc_arn, b["started"], f"(service {svc}) has started 1 tasks: (task {b['id']}).")
            k.ecs_event(
                ctx,
                svc_arn,
                b["started"] + timedelta(seconds=75),
                f"(service {svc}) registered 1 targets in (target-group {tg_arn})",
            )
            ctx.event(
                "target_health",
                {
                    "target_group_arn": tg_arn,
                    "target": {"Id": b["ip"], "Port": 8080, "AvailabilityZone": b["az"]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(b["started"] + timedelta(seconds=105)),
                },
            )
            placed += 1
        else:
            k.ecs_event(
                ctx,
                svc_arn,
                t,
                f"(service {svc}) was unable to place a task. Reason: Capacity is unavailable at this time. "
                "Please try again later or in a different availability zone. For more information, see the "
                "Troubleshooting section of the Amazon ECS Developer Guide.",
            )
        t += timedelta(minutes=rng.randint(2, 5), seconds=rng.randint(0, 59))
    for x in tasks:
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": {"Id": x["ip"], "Port": 8080, "AvailabilityZone": x["az"]},
                "health": {"State": "healthy"},
                "timestamp": k.iso(x["started"] + timedelta(minutes=2)),
            },
        )

    image = f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{svc}:{ctx.hex(7)}"

    def task_item(x: dict[str, Any]) -> dict[str, Any]:
        stopped = x.get("stopped")
        item: dict[str, Any] = {
            "taskArn": ctx.arn("ecs", f"task/{cluster}/{x['id']}"),
            "clusterArn": cluster_arn,
            "taskDefinitionArn": td_arn,
            "availabilityZone": x["az"],
            "capacityProviderName": x["cp"],
            "connectivity": "CONNECTED",
            "connectivityAt": k.iso_ms(x["started"] - timedelta(seconds=20)),
            "cpu": "1024",
            "memory": "2048",
            "createdAt": k.iso_ms(x["started"] - timedelta(seconds=40)),
            "desiredStatus": "STOPPED" if stopped else "RUNNING",
            "lastStatus": "STOPPED" if stopped else "RUNNING",
            "group": f"service:{svc}",
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "pullStartedAt": k.iso_ms(x["started"] - timedelta(seconds=30)),
            "pullStoppedAt": k.iso_ms(x["started"] - timedelta(seconds=12)),
            "startedAt": k.iso_ms(x["started"]),
            "startedBy": f"ecs-svc/{ctx.hex(19)}",
            "healthStatus": "UNKNOWN",
            "version": 4 if stopped else 2,
            "containers": [
                {
                    "containerArn": ctx.arn("ecs", f"container/{cluster}/{x['id']}/{ctx.uuid()}"),
                    "taskArn": ctx.arn("ecs", f"task/{cluster}/{x['id']}"),
                    "name": "app",
                    "image": image,
                    "lastStatus": "STOPPED" if stopped else "RUNNING",
                    "healthStatus": "UNKNOWN",
                    "cpu": "0",
                    "networkInterfaces": [{"attachmentId": ctx.uuid(), "privateIpv4Address": x["ip"]}],
                    **({"exitCode": 0} if stopped else {}),
                }
            ],
            "attachments": [
                {
                    "id": ctx.uuid(),
                    "type": "ElasticNetworkInterface",
                    "status": "DELETED" if stopped else "ATTACHED",
                    "details": [
                        {"name": "privateIPv4Address", "value": x["ip"]},
                        {"name": "networkInterfaceId", "value": ctx.ec2_id("eni")},
                    ],
                }
            ],
            "ephemeralStorage": {"sizeInGiB": 20},
        }
        if stopped:
            item.update(
                {
                    "stopCode": "SpotInterruption",
                    "stoppedReason": "Your Spot Task was interrupted.",
                    "stoppingAt": k.iso_ms(x["notice"]),
                    "executionStoppedAt": k.iso_ms(stopped - timedelta(seconds=3)),
                    "stoppedAt": k.iso_ms(stopped + timedelta(seconds=10)),
                }
            )
        return item

    for x in tasks + back:
        ctx.resource("ecs", "Task", task_item(x))

    # --- other resources -----------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(200, 800))
    vpc = ctx.ec2_id("vpc")
    subnets = [ctx.ec2_id("subnet") for _ in range(3)]
    sg = ctx.ec2_id("sg")
    n_run = running(now)
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": n_run + 2,
            "pendingTasksCount": desired - n_run,
            "activeServicesCount": 2,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        },
    )
    strategy = [
        {"capacityProvider": "FARGATE", "weight": 1, "base": base_od},
        {"capacityProvider": "FARGATE_SPOT", "weight": 4, "base": 0},
    ]
    dep = ctx.hex(19)
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "app", "containerPort": 8080}],
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": n_run,
            "pendingCount": desired - n_run,
            "capacityProviderStrategy": strategy,
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
                    "id": f"ecs-svc/{dep}",
                    "status": "PRIMARY",
                    "taskDefinition": td_arn,
                    "desiredCount": desired,
                    "pendingCount": desired - n_run,
                    "runningCount": n_run,
                    "failedTasks": 0,
                    "createdAt": k.iso_ms(start - timedelta(days=rng.randint(2, 9))),
                    "updatedAt": k.iso_ms(now - timedelta(minutes=2)),
                    "capacityProviderStrategy": strategy,
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": f"ECS deployment ecs-svc/{dep} completed.",
                }
            ],
            "events": [],
            "createdAt": k.iso_ms(created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": True,
        },
    )
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": other_arn,
            "serviceName": other,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg2_arn, "containerName": "app", "containerPort": 8080}],
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "taskDefinition": ctx.arn("ecs", f"task-definition/{other}:{rng.randint(10, 80)}"),
            "deploymentConfiguration": {"maximumPercent": 200, "minimumHealthyPercent": 100},
            "createdAt": k.iso_ms(created),
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg],
                    "assignPublicIp": "DISABLED",
                }
            },
        },
    )
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"internal-{alb_name}-{rng.randint(10**8, 10**9)}.{ctx.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z35SXDOTRQ7X7K",
            "CreatedTime": k.iso_ms(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internal",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": a, "SubnetId": s} for a, s in zip(az, subnets, strict=True)],
            "SecurityGroups": [sg],
            "IpAddressType": "ipv4",
        },
    )
    for arn, name in ((tg_arn, tg_name), (tg2_arn, f"{other}-tg")):
        ctx.resource(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": arn,
                "TargetGroupName": name,
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 10,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 2,
                "HealthCheckPath": "/healthz",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        )
    ctx.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db,
            "DBInstanceClass": "db.r6g.xlarge",
            "Engine": "postgres",
            "EngineVersion": "15.7",
            "DBInstanceStatus": "available",
            "MasterUsername": "rating_admin",
            "Endpoint": {"Address": f"{db}.{ctx.hex(12)}.{ctx.region}.rds.amazonaws.com", "Port": 5432},
            "AllocatedStorage": 400,
            "InstanceCreateTime": k.iso_ms(created),
            "MultiAZ": True,
            "AvailabilityZone": az[0],
            "SecondaryAvailabilityZone": az[1],
            "StorageType": "gp3",
            "DBInstanceArn": ctx.arn("rds", f"db:{db}"),
            "PubliclyAccessible": False,
        },
    )
    k.log_group(ctx, f"/ecs/{svc}", created, 30)

    # --- logs ----------------------------------------------------------------------------------------
    g = f"/ecs/{svc}"
    paths = [
        ("POST", "/v2/quotes", 40),
        ("GET", "/v2/quotes/{id}", 12),
        ("POST", "/v2/quotes/{id}/bind", 70),
        ("GET", "/v2/products", 6),
    ]

    def zap(t: datetime, level: str, caller: str, msg: str, **kw: Any) -> str:
        ts = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        return json.dumps(
            {"level": level, "ts": ts, "caller": caller, "msg": msg, **kw}, separators=(",", ":")
        )

    t = start + timedelta(seconds=rng.randint(1, 20))
    while t < now:
        m = k.floor_minute(t)
        cur = sim[m]
        alive = [x for x in tasks if "stopped" not in x or x["stopped"] > t] + [
            b for b in back if b["started"] <= t
        ]
        x = rng.choice(alive)
        method, path, base = rng.choice(paths)
        took = base * (1 + cur["rt"] * 20 if cur["cpu"] > 92 else 1) * k.noisy(rng, 1, 0.3)
        status = 200 if took < 9000 else 499
        ctx.log(
            g,
            f"app/app/{x['id']}",
            t,
            zap(
                t,
                "info",
                "httpx/middleware.go:88",
                "request",
                method=method,
                path=path,
                status=status,
                duration_ms=round(took),
                request_id=ctx.hex(16),
            ),
        )
        if cur["cpu"] > 95 and rng.random() < 0.3:
            ctx.log(
                g,
                f"app/app/{x['id']}",
                t,
                zap(
                    t,
                    "warn",
                    "rating/pool.go:141",
                    "rating worker pool saturated",
                    queued=rng.randint(20, 140),
                    workers=32,
                ),
            )
        if rng.random() < 0.006:
            ctx.log(
                g,
                f"app/app/{x['id']}",
                t,
                zap(
                    t,
                    "warn",
                    "fx/rates.go:63",
                    "fx rate cache stale, refreshing",
                    age_s=rng.randint(301, 420),
                ),
            )
        t += timedelta(seconds=rng.uniform(8, 16))
    for v in victims:
        n = v["notice"] + timedelta(milliseconds=rng.randint(50, 900))
        ctx.log(
            g,
            f"app/app/{v['id']}",
            n,
            zap(n, "info", "cmd/server/main.go:97", "received signal, draining", signal="terminated"),
        )
        s = n + timedelta(seconds=rng.randint(25, 31))
        ctx.log(
            g, f"app/app/{v['id']}", s, zap(s, "info", "cmd/server/main.go:112", "server stopped", inflight=0)
        )
    for b in back:
        s = b["started"] + timedelta(seconds=2)
        ctx.log(
            g,
            f"app/app/{b['id']}",
            s,
            zap(
                s, "info", "cmd/server/main.go:71", "listening", addr=":8080", version=image.rsplit(":", 1)[1]
            ),
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    dom = f"{org}insure.com"
    h1 = k.sso_user(
        ctx,
        f"{rng.choice(['lena', 'yusuf', 'greta', 'hiro'])}.{rng.choice(['berg', 'demir', 'sato'])}@{dom}",
        "PricingDeveloper",
    )
    h2 = k.sso_user(
        ctx,
        f"{rng.choice(['paul', 'ines', 'arjun'])}.{rng.choice(['meyer', 'costa', 'nair'])}@{dom}",
        "SRE",
        console=True,
    )
    ci = k.github_ci(ctx, f"gha-{org}-pricing-deploy")
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        (
            "ecs.amazonaws.com",
            "ListTasks",
            {"cluster": cluster, "serviceName": svc, "desiredStatus": "RUNNING"},
        ),
        ("ecs.amazonaws.com", "DescribeClusters", {"clusters": [cluster]}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": svc}),
        ("rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
        ("ecr.amazonaws.com", "DescribeImages", {"repositoryName": svc}),
    ]
    k.routine_reads(ctx, start, now, rng.randint(22, 28), [h1, h2], reads)
    for when in k.spread(ctx, start, now, rng.randint(8, 11)):
        k.assume_role_by_service(
            ctx,
            when,
            "ecs-tasks.amazonaws.com",
            f"arn:aws:iam::{ctx.account}:role/{rng.choice([svc, other])}-task",
            rng.choice(tasks)["id"],
        )
    # innocent: a new image pushed for the service by CI (not deployed)
    push = onset - timedelta(minutes=rng.randint(6, 20), seconds=rng.randint(0, 59))
    k.record(
        ctx,
        push - timedelta(seconds=20),
        ci,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        {},
        None,
        read_only=True,
    )
    k.record(
        ctx,
        push,
        ci,
        "ecr.amazonaws.com",
        "PutImage",
        {
            "repositoryName": svc,
            "imageTag": ctx.hex(7),
            "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
            "registryId": ctx.account,
        },
        {
            "image": {
                "registryId": ctx.account,
                "repositoryName": svc,
                "imageId": {"imageDigest": "sha256:" + ctx.hex(64), "imageTag": ctx.hex(7)},
            }
        },
        cmd="ecr.put-image",
    )
    # innocent: the admin service deployed inside the half hour, and its target group tweaked
    od_at = onset + timedelta(minutes=rng.choice([-14, -9, 7, 12]), seconds=rng.randint(0, 59))
    new_td = ctx.arn("ecs", f"task-definition/{other}:{rng.randint(81, 99)}")
    k.record(
        ctx,
        od_at,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": other, "taskDefinition": new_td, "forceNewDeployment": False},
        {
            "service": {
                "serviceName": other,
                "serviceArn": other_arn,
                "taskDefinition": new_td,
                "desiredCount": 2,
                "runningCount": 2,
            }
        },
        cmd="ecs.update-service",
    )
    k.ecs_event(
        ctx,
        other_arn,
        od_at + timedelta(seconds=15),
        f"(service {other}) has started 2 tasks: (task {ctx.hex(32)}) (task {ctx.hex(32)}).",
    )
    k.ecs_event(
        ctx,
        other_arn,
        od_at + timedelta(minutes=3, seconds=20),
        f"(service {other}) has reached a steady state.",
    )
    tga = onset - timedelta(minutes=rng.randint(20, 28))
    k.record(
        ctx,
        tga,
        h1,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": tg2_arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}],
        },
        {"attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}]},
    )
    # someone bumps desired count after the page; it cannot be placed either
    look = fire.time + timedelta(minutes=rng.randint(3, 7))
    if look < now:
        k.record(
            ctx, look, h2, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}
        )
        k.record(
            ctx,
            look + timedelta(seconds=50),
            h2,
            "ecs.amazonaws.com",
            "DescribeTasks",
            {"cluster": cluster, "tasks": [v["id"] for v in victims[:3]]},
        )

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
                "question": f"{svc} is timing out and returning 504s to the broker portal since late this morning. "
                "Nobody deployed it today. What happened?",
                "alarm_event": k.alarm_event(ctx, e5a, fire, None),
                "timezone": tzname,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": svc_arn,
                    "category": "system_change",
                    "failure_mode": "fargate-spot-interruption",
                },
                "also_accept": [svc, "FARGATE_SPOT", cluster],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"Fargate Spot reclaims {n_int} of {svc}'s {spot_n} FARGATE_SPOT tasks (stopCode SpotInterruption)",
                    f"replacements cannot be placed: Spot capacity unavailable; {svc} runs {running(now)} of {desired} tasks",
                    f"the remaining tasks saturate; {alb_name} 504s and target response time climb",
                    f"{e5a.name} fires",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.records())
