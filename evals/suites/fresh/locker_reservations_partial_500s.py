"""Locker reservations failing for a large share of requests while every task reports healthy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zh as k

NAME = "locker-reservations-partial-500s"
TITLE = "locker-api target 5xx alarm; reservations failing for many users while all tasks look healthy"
SUMMARY = (
    "One locker-api task loses its Redis connection for good and fails every request fast; a shallow "
    "health check keeps it in rotation and least-outstanding-requests routing feeds it extra traffic."
)

TZ_OFFSET = 2.0  # Europe/Amsterdam in summer

STACK_LINES = (
    "Error: Connection is closed.\n"
    "    at close (/app/node_modules/ioredis/built/redis/event_handler.js:189:25)\n"
    "    at Socket.<anonymous> (/app/node_modules/ioredis/built/redis/event_handler.js:156:20)\n"
    "    at Object.onceWrapper (node:events:633:26)\n"
    "    at Socket.emit (node:events:518:28)\n"
    "    at TCP.<anonymous> (node:net:337:12)"
)


def _clock(t: datetime) -> str:
    local = t + timedelta(hours=TZ_OFFSET)
    local = local - timedelta(minutes=local.minute % 5, seconds=local.second)
    return f"{local.hour % 12 or 12}:{local.minute:02d}" + ("am" if local.hour < 12 else "pm")


def build(seed: int) -> Bundle:
    kit = k.Kit(NAME, seed, "eu-west-1")
    rng = kit.rng
    day = datetime(2024, 6, 3, tzinfo=UTC) + timedelta(days=rng.choice([0, 1, 2, 3, 7, 8, 9, 10, 14, 15]))
    onset = day + timedelta(hours=11, minutes=rng.randint(40, 130), seconds=rng.randint(0, 59))
    start = k.floor_min(onset - timedelta(hours=4, minutes=rng.randint(0, 20)))
    now = k.floor_min(onset + timedelta(minutes=rng.randint(38, 55)))
    t0 = k.floor_min(onset)
    acct = kit.account
    azs = ["a", "b", "c"]
    vpc_id, subnets = k.vpc_and_subnets(kit, "lockerhub-prod", 24, azs)
    deployed = start - timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 6))
    stack = k.ecs_alb_service(
        kit,
        cluster="lockerhub-prod",
        service="locker-api",
        lb_name="lockerhub-public",
        vpc_id=vpc_id,
        subnets=subnets,
        azs=azs,
        cidr2=24,
        tasks=4,
        image=f"{acct}.dkr.ecr.eu-west-1.amazonaws.com/locker-api:v3.{rng.randint(14, 19)}.{rng.randint(0, 9)}",
        port=8080,
        created=start - timedelta(days=300),
        deployed=deployed,
        health_path="/healthz",
        algorithm="least_outstanding_requests",
        cpu="1024",
        memory="2048",
        env={
            "NODE_ENV": "production",
            "REDIS_URL": "rediss://master.locker-holds.x1yz2w.euw1.cache.amazonaws.com:6379",
            "PGHOST": "lockers-db.cluster-c9xk2abcd1ef.eu-west-1.rds.amazonaws.com",
        },
        revision=rng.randint(200, 260),
    )
    tasks = stack["tasks"]
    bad = tasks[rng.randrange(4)]
    for task in tasks:
        kit.res("ecs", "Task", k.ecs_task_item(kit, stack, task, "1024", "2048"))
        kit.event(
            "target_health",
            {
                "target_group_arn": stack["tg_arn"],
                "target": {"Id": task["ip"], "Port": 8080, "AvailabilityZone": task["az"]},
                "health": {"State": "healthy"},
                "timestamp": k.iso(task["started"] + timedelta(seconds=55)),
            },
        )
    kit.res("ecs", "Service", stack["service_item"])
    # ElastiCache
    rg = "locker-holds"
    token = f"{kit.hex(6)}"
    primary_ep = f"master.{rg}.{token}.euw1.cache.amazonaws.com"
    nodes = [f"{rg}-001", f"{rg}-002"]
    node_az = ["eu-west-1a", "eu-west-1b"]
    kit.res(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg,
            "Description": "Locker reservation holds and rate limits",
            "Status": "available",
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": primary_ep, "Port": 6379},
                    "ReaderEndpoint": {
                        "Address": f"replica.{rg}.{token}.euw1.cache.amazonaws.com",
                        "Port": 6379,
                    },
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n,
                            "CacheNodeId": "0001",
                            "ReadEndpoint": {
                                "Address": f"{n}.{rg}.{token}.euw1.cache.amazonaws.com",
                                "Port": 6379,
                            },
                            "PreferredAvailabilityZone": az,
                            "CurrentRole": role,
                        }
                        for n, az, role in zip(nodes, node_az, ["primary", "replica"], strict=True)
                    ],
                }
            ],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 1,
            "SnapshotWindow": "02:30-03:30",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.r6g.large",
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": kit.arn("elasticache", f"replicationgroup:{rg}"),
            "Engine": "redis",
        },
    )
    for n, az in zip(nodes, node_az, strict=True):
        kit.res(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": n,
                "CacheNodeType": "cache.r6g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": az,
                "CacheClusterCreateTime": k.iso(start - timedelta(days=410)),
                "PreferredMaintenanceWindow": "sun:03:30-sun:04:30",
                "CacheSubnetGroupName": "lockerhub-prod-cache",
                "SecurityGroups": [{"SecurityGroupId": "sg-0" + kit.hex(16), "Status": "active"}],
                "ReplicationGroupId": rg,
                "SnapshotRetentionLimit": 1 if n.endswith("2") else 0,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": kit.arn("elasticache", f"cluster:{n}"),
            },
        )
    kit.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": "service/lockerhub-prod/locker-api",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 4,
            "MaxCapacity": 12,
            "RoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": k.iso(start - timedelta(days=290)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )

    # --- metrics and logs ---------------------------------------------------------------------------
    share = rng.uniform(0.41, 0.49)
    base = rng.uniform(150, 210)
    lbd = {"LoadBalancer": stack["lb_dim"]}
    tgd = {"LoadBalancer": stack["lb_dim"], "TargetGroup": stack["tg_dim"]}
    cdims = {"ClusterName": "lockerhub-prod", "ServiceName": "locker-api"}
    t5xx: dict[datetime, float] = {}
    cpu_series: dict[datetime, float] = {}
    group = stack["log_group"]
    streams = {t["id"]: f"ecs/locker-api/{t['id']}" for t in tasks}
    lockers = [f"LKR-{rng.randint(10000, 99999)}" for _ in range(60)]
    for t in k.minutes(start, now):
        load = k.daily(t, TZ_OFFSET, night=0.08, peak_hour=15.0)
        req = k.poisson(rng, base * load + 6)
        after = t >= t0
        c4 = k.poisson(rng, req * 0.02)
        c5 = 0
        if after:
            c5 = k.poisson(rng, req * share * 0.9)
        elif rng.random() < 0.01:
            c5 = 1
        kit.put("AWS/ApplicationELB", "RequestCount", lbd, t, "Count", req)
        kit.put("AWS/ApplicationELB", "RequestCount", tgd, t, "Count", req)
        kit.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, t, "Count", max(0, req - c4 - c5))
        kit.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", lbd, t, "Count", max(0, req - c4 - c5))
        if c4:
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, t, "Count", c4)
        if c5:
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, t, "Count", c5)
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbd, t, "Count", c5)
            t5xx[t] = c5
        ok = max(1, req - c5)
        p50 = rng.uniform(0.045, 0.06)
        vals = [p50, p50 * 2.4, p50 * 6, p50 * 16]
        cnts = [ok * 0.6, ok * 0.3, ok * 0.09, max(1, ok * 0.01)]
        if c5:
            vals = [0.004, *vals]
            cnts = [float(c5), *cnts]
        kit.put_dist("AWS/ApplicationELB", "TargetResponseTime", tgd, t, "Seconds", vals, cnts)
        kit.put("AWS/ApplicationELB", "HealthyHostCount", tgd, t, "Count", 4)
        kit.put("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t, "Count", 0)
        kit.put(
            "AWS/ApplicationELB", "ActiveConnectionCount", lbd, t, "Count", k.poisson(rng, req * 0.35 + 4)
        )
        cpu = k.jitter(rng, 7 + 30 * load * (0.8 if after else 1.0), 0.07)
        cpu_series[t] = cpu
        kit.put("AWS/ECS", "CPUUtilization", cdims, t, "Percent", cpu)
        kit.put("AWS/ECS", "MemoryUtilization", cdims, t, "Percent", k.jitter(rng, 38, 0.02))
        # Redis: the broken task's share of commands disappears, its two connections drop
        cmd_scale = (1 - share) / 0.75 if after else 1.0
        for n in nodes:
            cd = {"CacheClusterId": n, "CacheNodeId": "0001"}
            primary = n.endswith("001")
            conns = (8 - (2 if after else 0)) + (3 if primary else 2)
            kit.put("AWS/ElastiCache", "CurrConnections", cd, t, "Count", conns)
            kit.put("AWS/ElastiCache", "NewConnections", cd, t, "Count", (1 if rng.random() < 0.08 else 0))
            gets = k.poisson(rng, req * 2.6 * 0.75 * cmd_scale) if primary else 0
            sets = k.poisson(rng, req * 0.9 * 0.75 * cmd_scale) if primary else 0
            kit.put("AWS/ElastiCache", "GetTypeCmds", cd, t, "Count", gets)
            kit.put("AWS/ElastiCache", "SetTypeCmds", cd, t, "Count", sets)
            kit.put(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                cd,
                t,
                "Percent",
                k.jitter(rng, (2.5 + 0.02 * (gets + sets)) if primary else 1.2, 0.1),
            )
            kit.put(
                "AWS/ElastiCache",
                "CPUUtilization",
                cd,
                t,
                "Percent",
                k.jitter(rng, 3.5 if primary else 2.8, 0.1),
            )
            kit.put(
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                cd,
                t,
                "Percent",
                k.jitter(rng, 11.2, 0.01),
            )
            if not primary:
                kit.put(
                    "AWS/ElastiCache", "ReplicationLag", cd, t, "Seconds", round(rng.uniform(0.0, 0.02), 3)
                )
        # logs: reservations created on the healthy tasks, the broken task's failures
        n_res = k.poisson(rng, req * 0.06)
        for _ in range(n_res):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            task = rng.choice(tasks)
            if after and task is bad:
                continue
            kit.log(
                group,
                streams[task["id"]],
                ts,
                json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": k.private_dns(kit, task["ip"]),
                        "reqId": f"req-{kit.hex(5)}",
                        "msg": "reservation created",
                        "lockerId": rng.choice(lockers),
                        "holdSeconds": 900,
                        "durationMs": rng.randint(18, 80),
                    },
                    separators=(",", ":"),
                ),
            )
        if rng.random() < 0.03:
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            task = rng.choice(tasks)
            kit.log(
                group,
                streams[task["id"]],
                ts,
                json.dumps(
                    {
                        "level": 40,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": k.private_dns(kit, task["ip"]),
                        "msg": "locker controller heartbeat late",
                        "lockerId": rng.choice(lockers),
                        "lastSeenSeconds": rng.randint(95, 400),
                    },
                    separators=(",", ":"),
                ),
            )
        if after:
            for _ in range(c5):
                ts = t + timedelta(seconds=rng.uniform(0, 59))
                url = rng.choice(
                    [
                        "/v1/reservations",
                        "/v1/reservations",
                        "/v1/reservations",
                        "/v1/lockers/availability",
                        f"/v1/reservations/{kit.hex(12)}",
                    ]
                )
                kit.log(
                    group,
                    streams[bad["id"]],
                    ts,
                    json.dumps(
                        {
                            "level": 50,
                            "time": k.ms(ts),
                            "pid": 1,
                            "hostname": k.private_dns(kit, bad["ip"]),
                            "reqId": f"req-{kit.hex(5)}",
                            "req": {"method": "GET" if "availability" in url else "POST", "url": url},
                            "err": {
                                "type": "Error",
                                "message": "Connection is closed.",
                                "stack": STACK_LINES,
                            },
                            "msg": "request failed",
                            "statusCode": 500,
                            "responseTime": round(rng.uniform(1.5, 6.0), 1),
                        },
                        separators=(",", ":"),
                    ),
                )
    # the disconnect itself
    host = k.private_dns(kit, bad["ip"])
    seq = [
        (
            0.0,
            40,
            "[ioredis] Unhandled error event: Error: read ECONNRESET\n    at TCP.onStreamRead (node:internal/stream_base_commons:217:20)",
        ),
    ]
    for i in range(1, 11):
        seq.append(
            (
                0.05 * i * i + 0.2 * i,
                40,
                f"redis reconnecting (attempt {i}, delay {min(2000, 50 * i * i)}ms): connect ETIMEDOUT",
            )
        )
    seq.append((7.9, 50, "redis retry strategy exhausted after 10 attempts; giving up on reconnect"))
    for off, lvl, msg in seq:
        ts = onset + timedelta(seconds=off)
        kit.log(
            group,
            streams[bad["id"]],
            ts,
            json.dumps(
                {
                    "level": lvl,
                    "time": k.ms(ts),
                    "pid": 1,
                    "hostname": host,
                    "component": "redis",
                    "msg": msg,
                },
                separators=(",", ":"),
            ),
        )

    # ECS service events
    for t in k.minutes(start, now, 360):
        kit.event(
            "ecs",
            {
                "service_arn": stack["service_arn"],
                "event": {
                    "id": kit.uuid(),
                    "createdAt": k.iso(t + timedelta(minutes=11)),
                    "message": "(service locker-api) has reached a steady state.",
                },
            },
        )

    # --- CloudTrail ---------------------------------------------------------------------------------
    ci_web = k.ci(kit, "gha-deploy-locker-web", "cli")
    eng = k.sso(
        kit,
        rng.choice(["sanne.devries", "jorik.bakker", "fatima.elamrani"]) + "@lockerhub.eu",
        "PlatformEngineer",
    )
    dev = k.sso(kit, rng.choice(["tom.verhoeven", "ines.kaya"]) + "@lockerhub.eu", "Developer")
    aas = k.Who(
        kit,
        "service-linked",
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-ECSService",
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
        "application-autoscaling.amazonaws.com",
    )
    task_role = k.service_role(
        kit,
        "locker-api-task",
        bad["id"],
        bad["ip"],
        "aws-sdk-nodejs/3.582.0 linux/v20.14.0 ua/2.0 os/linux#5.10.217-205.860.amzn2.x86_64 lang/js md/nodejs#20.14.0 api/ssm#3.582.0",
    )
    mix: list[tuple[k.Who, list[k.Template]]] = [
        (
            aas,
            [
                (
                    "ecs.amazonaws.com",
                    "DescribeServices",
                    True,
                    lambda: {"cluster": "lockerhub-prod", "services": ["locker-api"]},
                ),
                (
                    "monitoring.amazonaws.com",
                    "DescribeAlarms",
                    True,
                    lambda: {
                        "alarmNames": [
                            "TargetTracking-service/lockerhub-prod/locker-api-AlarmHigh-" + kit.uuid()
                        ]
                    },
                ),
            ],
        ),
        (
            dev,
            [
                (
                    "logs.amazonaws.com",
                    "StartQuery",
                    True,
                    lambda: {
                        "logGroupNames": ["/ecs/locker-api"],
                        "queryString": "fields @timestamp, msg | filter level >= 40",
                    },
                ),
                ("ecr.amazonaws.com", "DescribeImages", True, lambda: {"repositoryName": "locker-api"}),
            ],
        ),
        (
            task_role,
            [
                (
                    "ssm.amazonaws.com",
                    "GetParametersByPath",
                    True,
                    lambda: {
                        "path": "/lockerhub/prod/locker-api/",
                        "recursive": True,
                        "withDecryption": True,
                    },
                )
            ],
        ),
        (
            eng,
            [
                (
                    "elasticache.amazonaws.com",
                    "DescribeReplicationGroups",
                    True,
                    lambda: {"replicationGroupId": rg},
                ),
                (
                    "ec2.amazonaws.com",
                    "DescribeNetworkInterfaces",
                    True,
                    lambda: {"networkInterfaceIdSet": {}},
                ),
            ],
        ),
    ]
    k.routine(kit, start, now, 40, mix)
    wd = onset - timedelta(minutes=rng.randint(12, 19), seconds=rng.randint(0, 59))
    rev = rng.randint(80, 120)
    k.ct(
        kit,
        ci_web,
        wd,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "locker-web",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "locker-web",
                    "image": f"{acct}.dkr.ecr.eu-west-1.amazonaws.com/locker-web:{kit.hex(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": kit.arn("ecs", f"task-definition/locker-web:{rev}"),
                "family": "locker-web",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
    )
    k.ct(
        kit,
        ci_web,
        wd + timedelta(seconds=4),
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": "lockerhub-prod",
            "service": "locker-web",
            "taskDefinition": f"locker-web:{rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "locker-web",
                "desiredCount": 2,
                "taskDefinition": kit.arn("ecs", f"task-definition/locker-web:{rev}"),
            }
        },
    )
    pt = onset + timedelta(minutes=rng.randint(6, 12))
    k.ct(
        kit,
        eng,
        pt,
        "application-autoscaling.amazonaws.com",
        "PutScalingPolicy",
        {
            "policyName": "locker-api-cpu-target",
            "serviceNamespace": "ecs",
            "resourceId": "service/lockerhub-prod/locker-api",
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
            "policyARN": f"arn:aws:autoscaling:eu-west-1:{acct}:scalingPolicy:{kit.uuid()}:resource/ecs/service/lockerhub-prod/locker-api:policyName/locker-api-cpu-target",
            "alarms": [],
        },
    )
    k.ct(
        kit,
        eng,
        pt + timedelta(minutes=3),
        "ecs.amazonaws.com",
        "DescribeTasks",
        {"cluster": "lockerhub-prod", "tasks": [t["taskArn"] for t in tasks]},
        None,
        True,
    )
    k.ct(
        kit,
        eng,
        pt + timedelta(minutes=4),
        "elasticache.amazonaws.com",
        "DescribeEvents",
        {"sourceType": "replication-group", "duration": 120},
        None,
        True,
    )

    # --- alarms -------------------------------------------------------------------------------------
    ops = kit.arn("sns", "lockerhub-pager")
    made = k.alarm(
        kit,
        "locker-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        3,
        25.0,
        "GreaterThanThreshold",
        t5xx,
        (start, now),
        "locker-api targets returning 5xx",
        actions=[ops],
    )
    k.alarm(
        kit,
        "locker-api-unhealthy-targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Maximum",
        60,
        2,
        0.0,
        "GreaterThanThreshold",
        {t: 0.0 for t in k.minutes(start, now)},
        (start, now),
        "",
        actions=[ops],
    )
    k.alarm(
        kit,
        "locker-api-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        cdims,
        "Average",
        300,
        3,
        80.0,
        "GreaterThanThreshold",
        {t: v for t, v in cpu_series.items() if t.minute % 5 == 0},
        (start, now),
        "",
        actions=[ops],
    )
    k.alarm(
        kit,
        "locker-holds-engine-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": nodes[0], "CacheNodeId": "0001"},
        "Average",
        300,
        2,
        70.0,
        "GreaterThanThreshold",
        {},
        (start, now),
        "",
        missing="missing",
        actions=[ops],
    )
    event = k.alarm_event(kit, made, 0)

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": kit.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": (
                    f"locker-api 5xx alarm went off around {_clock(onset)}. Support says lots of customers can't reserve a "
                    "locker, but others can, and ECS and the target group show all four tasks healthy. What's broken?"
                ),
                "alarm_event": event,
                "timezone": "Europe/Amsterdam",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad["taskArn"],
                    "category": "component_failure",
                    "failure_mode": "single-task-redis-connection-lost-fast-fail",
                    "event_id": None,
                },
                "also_accept": [bad["id"], bad["ip"], bad["eni"]],
                "actions": ["restart", "reconfigure"],
                "chain": [
                    f"locker-api task {bad['id']} lost its connection to locker-holds and its Redis client stopped reconnecting",
                    "every request to that task fails in a few milliseconds with 'Connection is closed.' while /healthz still answers 200",
                    "the target group keeps the task in service and least-outstanding-requests routing sends it a large share of requests",
                    "locker-api target 5xx alarm; a large fraction of reservations fail",
                ],
            },
        }
    )
    return Bundle(manifest, kit.records())
