"""ElastiCache replaces the Redis primary in its maintenance window; cart-api's reads stay pinned to a node endpoint."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_l import (
    CONSOLE,
    AlarmSpec,
    Ids,
    Metrics,
    Rec,
    Trail,
    alarm_records,
    alb_item,
    cli,
    diurnal,
    grid,
    iso,
    log,
    ms,
    noise,
    office_ip,
    public_ip,
    sg_item,
    sg_rule,
    sorted_logs,
    spread,
    subnet_item,
    tg_item,
)

NAME = "cart-redis-maintenance-failover"
TITLE = "cart-api latency up since a burst of 5xx overnight"
SUMMARY = "ElastiCache replaces the cart-sessions primary during its maintenance window; the promoted replica is the node cart-api pins its reads to, so it now serves reads and writes and latency stays up."

REGIONS = [("us-east-2", "use2"), ("us-east-1", "use1")]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    region, short = rng.choice(REGIONS)
    account = ids.account()
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    net = rng.choice(["10.24", "10.60", "172.20"])
    # a Tuesday between April and October (CDT, UTC-5); maintenance window tue:07:00-08:00 UTC
    first_tue = datetime(2024, 4, 2, tzinfo=UTC)
    tue = first_tue + timedelta(weeks=rng.randrange(28))
    onset = tue + timedelta(hours=7, minutes=rng.randint(4, 31), seconds=rng.randint(0, 59))
    onset_m = onset.replace(second=0)
    start = onset_m - timedelta(hours=7)
    now = onset_m + timedelta(minutes=rng.randint(48, 70))
    fine_from = onset_m - timedelta(hours=3)

    vpc = ids.vpc()
    subnets = [ids.subnet() for _ in azs]
    sg_alb, sg_app, sg_redis = ids.sg(), ids.sg(), ids.sg()
    rg = "cart-sessions"
    n1, n2 = f"{rg}-001", f"{rg}-002"
    dns_id = ids.short(6)
    primary_ep = f"{rg}.{dns_id}.ng.0001.{short}.cache.amazonaws.com"
    reader_ep = f"{rg}-ro.{dns_id}.ng.0001.{short}.cache.amazonaws.com"
    node_ep = {n: f"{n}.{dns_id}.0001.{short}.cache.amazonaws.com" for n in (n1, n2)}
    cluster = "storefront-prod"
    service = "cart-api"
    lb_hex, tg_hex = ids.hex(16), ids.hex(16)
    lb_dim = f"app/storefront-prod/{lb_hex}"
    tg_dim = f"targetgroup/cart-api-prod/{tg_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{service}"
    sns = f"arn:aws:sns:{region}:{account}:storefront-oncall"
    td_rev = rng.randint(180, 420)

    scale_in = onset_m - timedelta(minutes=rng.randint(16, 28))
    recovered = onset_m + timedelta(minutes=rng.randint(8, 12))  # new node 001 back, as a replica
    sync_done = recovered + timedelta(minutes=rng.randint(2, 4))

    # --- metrics ---------------------------------------------------------------------------------
    m = Metrics(rng, grid(start, now, lambda t: t >= fine_from))

    def traffic(t: datetime) -> float:
        return diurnal(t, -5.0, low=0.55, peak_hour=13.0)  # app traffic is worldwide

    base = rng.uniform(4200, 6400)  # requests a minute at peak

    def tasks(t: datetime) -> int:
        return 4 if t >= scale_in else 6

    def phase(t: datetime) -> str:
        if t < onset_m:
            return "before"
        if t < onset_m + timedelta(minutes=2):
            return "burst"
        return "after"

    def req(t: datetime) -> float:
        return noise(rng, base * traffic(t), 0.05)

    def t5xx(t: datetime) -> float:
        p = phase(t)
        if p == "burst":
            return noise(rng, base * traffic(t) * rng.uniform(0.07, 0.12), 0.1)
        return 1.0 if rng.random() < 0.1 else 0.0

    slow = rng.uniform(1.8, 2.3)

    def latency(t: datetime) -> tuple[list[float], list[float]]:
        n = max(20.0, base * traffic(t))
        k = 1.0
        if phase(t) == "burst":
            k = 4.0
        elif phase(t) == "after":
            k = slow * (1.15 if t < sync_done else 1.0)
        p50 = 0.021 * k * rng.uniform(0.93, 1.07)
        vals = [p50 * 0.6, p50, p50 * 1.5, p50 * 2.1, p50 * 3.2]
        counts = [n * 0.3, n * 0.4, n * 0.2, n * 0.08, n * 0.02]
        return vals, counts

    for dims in ({"LoadBalancer": lb_dim, "TargetGroup": tg_dim},):
        m.add("AWS/ApplicationELB", "RequestCount", dims, "Count", req, "sum")
        m.add_dist("AWS/ApplicationELB", "TargetResponseTime", dims, "Seconds", latency)
        m.add(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            dims,
            "Count",
            lambda t: noise(rng, base * traffic(t) * (0.88 if phase(t) == "burst" else 0.975), 0.05),
            "sum",
        )
        m.add(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            dims,
            "Count",
            lambda t: noise(rng, base * traffic(t) * 0.02, 0.2),
            "sum",
        )
        m.add("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, "Count", t5xx, "sum")
        m.add("AWS/ApplicationELB", "HealthyHostCount", dims, "Count", lambda t: float(tasks(t)))
        m.add("AWS/ApplicationELB", "UnHealthyHostCount", dims, "Count", lambda t: 0.0)
    ecs_dims = {"ClusterName": cluster, "ServiceName": service}
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        ecs_dims,
        "Percent",
        lambda t: noise(
            rng, (8 + 60 * traffic(t)) * 6 / tasks(t) * (1.12 if phase(t) == "after" else 1), 0.06
        ),
    )
    m.add("AWS/ECS", "MemoryUtilization", ecs_dims, "Percent", lambda t: noise(rng, 41, 0.02))

    reads_rate = rng.uniform(5.5, 7.5)  # redis GETs per request
    writes_rate = rng.uniform(2.5, 3.2)  # cart writes plus a session EXPIRE on every request

    def node_up(node: str, t: datetime) -> bool:
        return not (node == n1 and onset_m <= t < recovered)

    def is_primary(node: str, t: datetime) -> bool:
        return (node == n1) == (t < onset_m)

    def reads_on(node: str, t: datetime) -> float:
        # cart-api reads from the node endpoint of cart-sessions-002, whatever its role
        return base * traffic(t) * reads_rate if node == n2 else base * traffic(t) * 0.02

    def writes_on(node: str, t: datetime) -> float:
        return base * traffic(t) * writes_rate if is_primary(node, t) else 0.0

    def engine_cpu(node: str, t: datetime) -> float | None:
        if not node_up(node, t):
            return None
        ops = reads_on(node, t) + writes_on(node, t) * 1.6
        v = 2.0 + ops / (base * 9.0) * 90
        if is_primary(node, t):
            v += 4  # replication stream
        if node == n2 and recovered <= t < sync_done:
            v += 12
        return min(99.0, noise(rng, v, 0.05))

    for node in (n1, n2):
        d = {"CacheClusterId": node, "CacheNodeId": "0001"}

        def up(t: datetime, node: str = node) -> bool:
            return node_up(node, t)

        m.add(
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            d,
            "Percent",
            lambda t, node=node: engine_cpu(node, t),
        )
        m.add(
            "AWS/ElastiCache",
            "CPUUtilization",
            d,
            "Percent",
            lambda t, node=node: (
                None if not up(t) else min(99.0, noise(rng, ((engine_cpu(node, t) or 0) + 6) / 2, 0.05))
            ),
        )
        m.add(
            "AWS/ElastiCache",
            "GetTypeCmds",
            d,
            "Count",
            lambda t, node=node: noise(rng, reads_on(node, t), 0.05) if up(t) else None,
            "sum",
        )
        m.add(
            "AWS/ElastiCache",
            "SetTypeCmds",
            d,
            "Count",
            lambda t, node=node: noise(rng, writes_on(node, t), 0.05) if up(t) else None,
            "sum",
        )
        m.add(
            "AWS/ElastiCache",
            "CacheHits",
            d,
            "Count",
            lambda t, node=node: noise(rng, reads_on(node, t) * 0.94, 0.05) if up(t) else None,
            "sum",
        )
        m.add(
            "AWS/ElastiCache",
            "CacheMisses",
            d,
            "Count",
            lambda t, node=node: noise(rng, reads_on(node, t) * 0.06, 0.08) if up(t) else None,
            "sum",
        )

        def conns(t: datetime, node: str = node) -> float | None:
            if not up(t):
                return None
            per_task = 0.0
            if node == n2:
                per_task += 4  # the reader pool always points here
            if is_primary(node, t):
                per_task += 4
            return float(round(per_task * tasks(t) + 3 + rng.randint(0, 1)))

        m.add("AWS/ElastiCache", "CurrConnections", d, "Count", conns)
        m.add(
            "AWS/ElastiCache",
            "NewConnections",
            d,
            "Count",
            lambda t, node=node: (
                None
                if not up(t)
                else float(rng.randint(30, 60) if phase(t) == "burst" and node == n2 else rng.randint(0, 2))
            ),
            "sum",
        )
        m.add(
            "AWS/ElastiCache",
            "IsMaster",
            d,
            "Count",
            lambda t, node=node: (1.0 if is_primary(node, t) else 0.0) if up(t) else None,
        )
        m.add(
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            d,
            "Percent",
            lambda t, node=node: (
                None
                if not up(t)
                else noise(rng, 31.0 if not (node == n1 and t >= recovered and t < sync_done) else 12.0, 0.01)
            ),
        )
        m.add(
            "AWS/ElastiCache",
            "NetworkBytesIn",
            d,
            "Bytes",
            lambda t, node=node: (
                None
                if not up(t)
                else noise(rng, (reads_on(node, t) * 120 + writes_on(node, t) * 900 + 2e4), 0.06)
            ),
            "sum",
            0,
        )
        m.add(
            "AWS/ElastiCache",
            "NetworkBytesOut",
            d,
            "Bytes",
            lambda t, node=node: (
                None
                if not up(t)
                else noise(rng, (reads_on(node, t) * 1400 + writes_on(node, t) * 700 + 2e4), 0.06)
            ),
            "sum",
            0,
        )
        m.add(
            "AWS/ElastiCache",
            "ReplicationLag",
            d,
            "Seconds",
            lambda t, node=node: (
                None
                if not up(t) or is_primary(node, t) or (node == n1 and t < sync_done)
                else round(rng.uniform(0.0, 0.03), 3)
            ),
        )
        m.add("AWS/ElastiCache", "Evictions", d, "Count", lambda t, node=node: 0.0 if up(t) else None, "sum")
        m.add(
            "AWS/ElastiCache",
            "SaveInProgress",
            d,
            "Count",
            lambda t, node=node: (
                None if not up(t) else (1.0 if node == n2 and recovered <= t < sync_done else 0.0)
            ),
        )

    # --- alarms ----------------------------------------------------------------------------------
    tgd = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    specs = [
        AlarmSpec(
            "cart-api-target-5xx",
            "cart-api 5xx through storefront-prod ALB (sum > 40/min)",
            [m.get("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd)],
            "Sum",
            60,
            1,
            1,
            40.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns],
            [sns],
        ),
        AlarmSpec(
            "cart-api-unhealthy-targets",
            "cart-api has unhealthy targets",
            [m.get("AWS/ApplicationELB", "UnHealthyHostCount", tgd)],
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            "notBreaching",
            [sns],
        ),
        AlarmSpec(
            "cart-api-cpu-high",
            "cart-api service CPU above 80%",
            [m.get("AWS/ECS", "CPUUtilization", ecs_dims)],
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            "missing",
            [sns],
        ),
    ]
    for node in (n1, n2):
        specs.append(
            AlarmSpec(
                f"{node}-engine-cpu",
                f"Redis engine CPU on {node} above 90%",
                [
                    m.get(
                        "AWS/ElastiCache",
                        "EngineCPUUtilization",
                        {"CacheClusterId": node, "CacheNodeId": "0001"},
                    )
                ],
                "Average",
                300,
                2,
                2,
                90.0,
                "GreaterThanThreshold",
                "missing",
                [sns],
            )
        )
        specs.append(
            AlarmSpec(
                f"{node}-memory",
                f"Redis memory on {node} above 80%",
                [
                    m.get(
                        "AWS/ElastiCache",
                        "DatabaseMemoryUsagePercentage",
                        {"CacheClusterId": node, "CacheNodeId": "0001"},
                    )
                ],
                "Average",
                300,
                2,
                2,
                80.0,
                "GreaterThanThreshold",
                "missing",
                [sns],
            )
        )
    alarms: list[Rec] = []
    history: list[Rec] = []
    for spec in specs:
        alarm, hist, _ = alarm_records(spec, account, region, start, now, rng)
        alarms.append(alarm)
        history.extend(hist)

    # --- resources -------------------------------------------------------------------------------
    resources: list[Rec] = []
    created = start - timedelta(days=rng.randint(200, 600))
    resources.append(
        {
            "service": "elasticache",
            "type": "ReplicationGroup",
            "item": {
                "ReplicationGroupId": rg,
                "Description": "cart and session state for storefront",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": [n1, n2],
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {"Address": primary_ep, "Port": 6379},
                        "ReaderEndpoint": {"Address": reader_ep, "Port": 6379},
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": n1,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {"Address": node_ep[n1], "Port": 6379},
                                "PreferredAvailabilityZone": azs[0],
                                "CurrentRole": "replica",
                            },
                            {
                                "CacheClusterId": n2,
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {"Address": node_ep[n2], "Port": 6379},
                                "PreferredAvailabilityZone": azs[1],
                                "CurrentRole": "primary",
                            },
                        ],
                    }
                ],
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 3,
                "SnapshotWindow": "05:00-06:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r7g.large",
                "AuthTokenEnabled": True,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}",
                "LogDeliveryConfigurations": [],
                "ReplicationGroupCreateTime": iso(created),
                "DataTiering": "disabled",
                "AutoMinorVersionUpgrade": True,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
                "ClusterMode": "disabled",
                "Engine": "redis",
            },
        }
    )
    for i, node in enumerate((n1, n2)):
        replaced = node == n1
        resources.append(
            {
                "service": "elasticache",
                "type": "CacheCluster",
                "item": {
                    "CacheClusterId": node,
                    "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                    "CacheNodeType": "cache.r7g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": azs[i],
                    "CacheClusterCreateTime": iso(created),
                    "PreferredMaintenanceWindow": "tue:07:00-tue:08:00",
                    "PendingModifiedValues": {},
                    "CacheSecurityGroups": [],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": "cart-sessions-redis7",
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": "storefront-cache",
                    "CacheNodes": [
                        {
                            "CacheNodeId": "0001",
                            "CacheNodeStatus": "available",
                            "CacheNodeCreateTime": iso(
                                recovered - timedelta(minutes=3) if replaced else created
                            ),
                            "ParameterGroupStatus": "in-sync",
                            "CustomerAvailabilityZone": azs[i],
                        }
                    ],
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 3 if i == 1 else 0,
                    "SnapshotWindow": "05:00-06:00",
                    "AuthTokenEnabled": True,
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{region}:{account}:cluster:{node}",
                    "ReplicationGroupLogDeliveryEnabled": False,
                    "LogDeliveryConfigurations": [],
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                },
            }
        )
    resources.append(
        {
            "service": "elasticache",
            "type": "CacheParameterGroup",
            "item": {
                "CacheParameterGroupName": "cart-sessions-redis7",
                "CacheParameterGroupFamily": "redis7",
                "Description": "cart-sessions: volatile-lru, 300s idle timeout",
                "IsGlobal": False,
                "ARN": f"arn:aws:elasticache:{region}:{account}:parametergroup:cart-sessions-redis7",
            },
        }
    )
    for name, value in (("maxmemory-policy", "volatile-lru"), ("timeout", "300")):
        resources.append(
            {
                "service": "elasticache",
                "type": "CacheParameterGroupParameter",
                "item": {
                    "CacheParameterGroupName": "cart-sessions-redis7",
                    "ParameterName": name,
                    "ParameterValue": value,
                    "Source": "user",
                    "DataType": "string" if name != "timeout" else "integer",
                    "IsModifiable": True,
                    "MinimumEngineVersion": "7.0.0",
                    "ChangeType": "immediate",
                },
            }
        )
    image = f"{account}.dkr.ecr.{region}.amazonaws.com/cart-api:2024.{rng.randint(10, 99)}.{rng.randint(1, 9)}-{ids.hex(7)}"
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/cart-api:{td_rev}"
    resources.append(
        {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": td_arn,
                "family": "cart-api",
                "revision": td_rev,
                "taskRoleArn": f"arn:aws:iam::{account}:role/cart-api-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "status": "ACTIVE",
                "requiresCompatibilities": ["FARGATE"],
                "compatibilities": ["EC2", "FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "registeredAt": iso(start - timedelta(days=rng.randint(3, 12))),
                "registeredBy": f"arn:aws:sts::{account}:assumed-role/gha-deploy-storefront/GitHubActions",
                "containerDefinitions": [
                    {
                        "name": "cart-api",
                        "image": image,
                        "cpu": 0,
                        "essential": True,
                        "portMappings": [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}],
                        "environment": [
                            {"name": "NODE_ENV", "value": "production"},
                            {"name": "PORT", "value": "3000"},
                            {"name": "REDIS_PRIMARY_HOST", "value": primary_ep},
                            {"name": "REDIS_READ_HOST", "value": node_ep[n2]},
                            {"name": "REDIS_TLS", "value": "true"},
                            {"name": "LOG_LEVEL", "value": "info"},
                        ],
                        "secrets": [
                            {
                                "name": "REDIS_AUTH_TOKEN",
                                "valueFrom": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/cart-api/redis-auth-{ids.short(6)}",
                            }
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": "/ecs/cart-api",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                    }
                ],
            },
        }
    )
    deployed = start - timedelta(days=rng.randint(2, 9), hours=rng.randint(1, 12))
    task_ids = [ids.hex(32) for _ in range(6)]
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": service,
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": "cart-api", "containerPort": 3000}
                ],
                "status": "ACTIVE",
                "desiredCount": 4,
                "runningCount": 4,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": "ecs-svc/" + ids.digits(19),
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": 4,
                        "pendingCount": 0,
                        "runningCount": 4,
                        "failedTasks": 0,
                        "createdAt": iso(deployed),
                        "updatedAt": iso(scale_in),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "events": [],
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
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": alb_item(
                ids, lb_arn, "storefront-prod", vpc, azs, subnets, [sg_alb], created - timedelta(days=100)
            ),
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": tg_item(tg_arn, "cart-api-prod", 3000, vpc, lb_arn, "/healthz"),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg_item(
                account,
                vpc,
                sg_redis,
                "cart-sessions-redis",
                "cart-sessions ElastiCache",
                [sg_rule(6379, account, sg_app, None, "cart-api")],
            ),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg_item(
                account,
                vpc,
                sg_app,
                "cart-api",
                "cart-api tasks",
                [sg_rule(3000, account, sg_alb, None, "ALB")],
            ),
        }
    )
    resources.append(
        {
            "service": "ec2",
            "type": "SecurityGroup",
            "item": sg_item(
                account,
                vpc,
                sg_alb,
                "storefront-alb",
                "storefront public ALB",
                [sg_rule(443, account, None, "0.0.0.0/0", "https")],
            ),
        }
    )
    for i, sn in enumerate(subnets):
        resources.append(
            {
                "service": "ec2",
                "type": "Subnet",
                "item": subnet_item(
                    ids,
                    account,
                    region,
                    vpc,
                    sn,
                    azs[i],
                    f"{net}.{32 + i * 16}.0/20",
                    f"storefront-private-{azs[i][-1]}",
                ),
            }
        )
    resources.append(
        {
            "service": "application-autoscaling",
            "type": "ScalableTarget",
            "item": {
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{service}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 4,
                "MaxCapacity": 24,
                "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": iso(created),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        }
    )

    # --- events ----------------------------------------------------------------------------------
    events: list[Rec] = []
    low_alarm = f"TargetTracking-service/{cluster}/{service}-AlarmLow-{ids.uuid()}"
    events.append(
        {
            "source": "application_autoscaling",
            "item": {
                "ActivityId": ids.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{service}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": "Setting desired count to 4.",
                "Cause": f"monitor alarm {low_alarm} in state ALARM triggered policy cart-api-cpu-target",
                "StartTime": iso(scale_in),
                "EndTime": iso(scale_in + timedelta(seconds=rng.randint(40, 90))),
                "StatusCode": "Successful",
                "StatusMessage": "Successfully set desired count to 4. Change successfully fulfilled by ecs.",
            },
        }
    )
    stopped = rng.sample(task_ids, 2)
    for when, msg in (
        (deployed + timedelta(minutes=6), f"(service {service}) has reached a steady state."),
        (
            scale_in + timedelta(seconds=30),
            f"(service {service}) has begun draining connections on 2 tasks.",
        ),
        (
            scale_in + timedelta(seconds=31),
            f"(service {service}) deregistered 2 targets in (target-group {tg_arn})",
        ),
        (
            scale_in + timedelta(seconds=62),
            f"(service {service}) has stopped 2 running tasks: (task {stopped[0]}) (task {stopped[1]}).",
        ),
        (scale_in + timedelta(minutes=4), f"(service {service}) has reached a steady state."),
    ):
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": ids.uuid(), "createdAt": iso(when), "message": msg},
                },
            }
        )
    for k, tid in enumerate(task_ids):
        ip = f"{net}.{32 + (k % 3) * 16}.{rng.randint(10, 250)}"
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": ip, "Port": 3000, "AvailabilityZone": azs[k % 3]},
                    "health": {"State": "healthy"},
                    "timestamp": iso(deployed + timedelta(minutes=2)),
                },
            }
        )
        if tid in stopped:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": {"Id": ip, "Port": 3000, "AvailabilityZone": azs[k % 3]},
                        "health": {
                            "State": "draining",
                            "Reason": "Target.DeregistrationInProgress",
                            "Description": "Target deregistration is in progress",
                        },
                        "timestamp": iso(scale_in + timedelta(seconds=31)),
                    },
                }
            )
    ec_events = [
        (onset, "cache-cluster", n1, "Cache node 0001 shutdown"),
        (
            onset + timedelta(seconds=rng.randint(14, 30)),
            "replication-group",
            rg,
            f"Failover to replica node {n2} completed",
        ),
        (
            onset + timedelta(seconds=rng.randint(31, 40)),
            "cache-cluster",
            n2,
            f"Failover from primary node {n1} to replica node {n2} completed",
        ),
        (onset + timedelta(seconds=rng.randint(50, 70)), "cache-cluster", n1, "Recovering cache nodes 0001"),
        (recovered, "cache-cluster", n1, "Finished recovery for cache nodes 0001"),
        (recovered + timedelta(seconds=rng.randint(5, 20)), "cache-cluster", n1, "Cache node 0001 restarted"),
    ]
    for when, stype, src, msg in ec_events:
        events.append(
            {
                "source": "elasticache",
                "item": {"SourceIdentifier": src, "SourceType": stype, "Message": msg, "Date": iso(when)},
            }
        )
    # --- CloudTrail ------------------------------------------------------------------------------
    trail = Trail(rng, ids, account, region)
    apac = trail.sso(
        "wei.lim@harborline.shop", "PlatformEngineer", office_ip(rng), cli("ssm.put-parameter", rng)
    )
    us = trail.sso("jordan.reyes@harborline.shop", "PowerUserAccess", office_ip(rng), CONSOLE)
    oncall = trail.sso("sam.whitaker@harborline.shop", "SRE-Admin", office_ip(rng), CONSOLE)
    aas = trail.service_role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ecs.application-autoscaling.amazonaws.com",
        "ApplicationAutoScaling",
    )
    nat = public_ip(rng)
    grafana = trail.role(
        "grafana-cloudwatch-read", "grafana", nat, "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64) grafana/10.4.1"
    )
    task_role = trail.role(
        "cart-api-task",
        ids.hex(32),
        nat,
        "aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/secrets-manager#3.540.0",
    )
    exec_role = trail.role(
        "ecsTaskExecutionRole", ids.hex(32), "ecs-tasks.amazonaws.com", "ecs-tasks.amazonaws.com"
    )
    exec_role.invoked_by = "ecs-tasks.amazonaws.com"

    for t in spread(rng, start, now, 10):
        trail.add(
            t,
            grafana,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {
                "metricDataQueries": [
                    {
                        "id": "q1",
                        "metricStat": {
                            "metric": {
                                "namespace": "AWS/ElastiCache",
                                "metricName": "EngineCPUUtilization",
                                "dimensions": [{"name": "CacheClusterId", "value": rng.choice([n1, n2])}],
                            },
                            "period": 60,
                            "stat": "Average",
                        },
                        "returnData": True,
                    }
                ],
                "startTime": iso(t - timedelta(hours=6)),
                "endTime": iso(t),
            },
        )
    for t in spread(rng, start, onset_m - timedelta(hours=2), 7):
        who = rng.choice([us, apac])
        reads: list[tuple[str, str, Rec]] = [
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [service]}),
            ("elasticache.amazonaws.com", "DescribeReplicationGroups", {"replicationGroupId": rg}),
            (
                "logs.amazonaws.com",
                "DescribeLogStreams",
                {"logGroupName": "/ecs/cart-api", "descending": True, "orderBy": "LastEventTime"},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "cart-"}),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": service}),
        ]
        src, name, params = rng.choice(reads)
        trail.add(t, who, src, name, params)
    for t in spread(rng, start, now, 4):
        trail.add(
            t,
            task_role,
            "kms.amazonaws.com",
            "Decrypt",
            {
                "encryptionContext": {
                    "aws:secretsmanager:arn": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/cart-api/session-signing-{ids.short(6)}"
                },
                "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
            },
        )
    # innocent change 1: target tracking scales cart-api in for the night
    trail.add(
        scale_in + timedelta(seconds=2),
        aas,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": service, "desiredCount": 4},
        {
            "service": {
                "serviceName": service,
                "serviceArn": svc_arn,
                "desiredCount": 4,
                "runningCount": 6,
                "status": "ACTIVE",
                "taskDefinition": td_arn,
            }
        },
        read_only=False,
    )
    # innocent change 2: APAC platform engineer updates a parameter for another service
    pp_at = onset_m - timedelta(minutes=rng.randint(4, 12), seconds=rng.randint(0, 59))
    trail.add(
        pp_at,
        apac,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/prod/search-indexer/batch-size", "type": "String", "overwrite": True},
        {"version": rng.randint(4, 19), "tier": "Standard"},
        read_only=False,
    )
    trail.add(
        pp_at + timedelta(minutes=rng.randint(2, 5)),
        apac,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "search-indexer", "forceNewDeployment": True},
        {
            "service": {
                "serviceName": "search-indexer",
                "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster}/search-indexer",
                "desiredCount": 2,
                "runningCount": 2,
                "status": "ACTIVE",
            }
        },
        read_only=False,
    )
    # an unrelated daily job's role session and a secret read when the reader pool reconnected
    for t in spread(rng, start, now, 5):
        trail.add(
            t,
            exec_role,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {
                "secretId": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/search-indexer/opensearch-{ids.short(6)}"
            },
        )
    # the on-call engineer looking after the 5xx page
    looks: list[tuple[str, str, Rec]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [service]}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        (
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupName": "/ecs/cart-api",
                "queryString": "fields @timestamp, msg, err.code | filter level >= 50 | sort @timestamp desc",
                "startTime": int(onset.timestamp()) - 3600,
                "endTime": int(onset.timestamp()) + 1800,
            },
        ),
        (
            "cloudtrail.amazonaws.com",
            "LookupEvents",
            {
                "startTime": iso(onset - timedelta(hours=1)),
                "endTime": iso(onset + timedelta(minutes=30)),
                "lookupAttributes": [{"attributeKey": "ReadOnly", "attributeValue": "false"}],
            },
        ),
    ]
    for k, (src, name, params) in enumerate(looks):
        when = onset_m + timedelta(minutes=rng.randint(14, 20) + k * 3, seconds=rng.randint(0, 59))
        if when < now:
            trail.add(when, oncall, src, name, params)

    # --- logs ------------------------------------------------------------------------------------
    logs: list[Rec] = []
    group = "/ecs/cart-api"
    routes = [
        ("GET", "/v2/cart"),
        ("POST", "/v2/cart/items"),
        ("GET", "/v2/session"),
        ("PATCH", "/v2/cart/items/:id"),
        ("GET", "/v2/cart/summary"),
    ]
    for k, tid in enumerate(task_ids):
        stream = f"ecs/cart-api/{tid}"
        host = (
            f"ip-{net.replace('.', '-')}-{32 + (k % 3) * 16}-{rng.randint(10, 250)}.{region}.compute.internal"
        )
        end = scale_in + timedelta(seconds=62) if tid in stopped else now
        t = start + timedelta(seconds=rng.randint(0, 120))
        burst_logged = 0
        while t < end:
            lvl, extra = 30, {}
            p = phase(t)
            if p == "burst" and burst_logged < 9:
                burst_logged += 1
                code = rng.choice(["ECONNRESET", "ETIMEDOUT", "ECONNRESET"])
                err = {
                    "type": "Error",
                    "message": "read ECONNRESET" if code == "ECONNRESET" else "connect ETIMEDOUT",
                    "stack": (
                        "Error: read ECONNRESET\n    at TLSWrap.onStreamRead (node:internal/stream_base_commons:217:20)"
                        if code == "ECONNRESET"
                        else "Error: connect ETIMEDOUT\n    at TLSSocket.<anonymous> (/app/node_modules/ioredis/built/Redis.js:170:41)\n    at Object.onceWrapper (node:events:633:28)\n    at TLSSocket.emit (node:events:519:28)\n    at Socket._onTimeout (node:net:590:8)\n    at listOnTimeout (node:internal/timers:573:17)\n    at process.processTimers (node:internal/timers:514:7)"
                    ),
                    "errno": -104 if code == "ECONNRESET" else -110,
                    "code": code,
                    "syscall": "read" if code == "ECONNRESET" else "connect",
                }
                body = {
                    "level": 50,
                    "time": ms(t),
                    "pid": 1,
                    "hostname": host,
                    "pool": rng.choice(["primary", "reader"]),
                    "err": err,
                    "msg": "redis connection error",
                }
                logs.append(log(group, stream, t, json.dumps(body, separators=(",", ":"))))
                if burst_logged == 9:
                    for pool, ep in (("primary", primary_ep), ("reader", node_ep[n2])):
                        t2 = t + timedelta(seconds=rng.uniform(1, 4))
                        logs.append(
                            log(
                                group,
                                stream,
                                t2,
                                json.dumps(
                                    {
                                        "level": 30,
                                        "time": ms(t2),
                                        "pid": 1,
                                        "hostname": host,
                                        "pool": pool,
                                        "host": f"{ep}:6379",
                                        "msg": "redis ready",
                                    },
                                    separators=(",", ":"),
                                ),
                            )
                        )
                t += timedelta(seconds=rng.uniform(3, 9))
                continue
            method, route = rng.choice(routes)
            k_lat = 1.0 if p == "before" else (4.0 if p == "burst" else slow)
            rt = max(3, int(rng.lognormvariate(3.0, 0.45) * k_lat))
            status = 200 if method == "GET" else rng.choice([200, 201])
            if p == "burst" and rng.random() < 0.4:
                status, lvl = 500, 50
                extra = {
                    "err": {
                        "type": "MaxRetriesPerRequestError",
                        "message": 'Reached the max retries per request limit (which is 3). Refer to "maxRetriesPerRequest" option for details.',
                    }
                }
            body = {
                "level": lvl,
                "time": ms(t),
                "pid": 1,
                "hostname": host,
                "req": {"id": ids.uuid(), "method": method, "url": route.replace(":id", ids.short(10))},
                "res": {"statusCode": status},
                "responseTime": rt,
                **extra,
                "msg": "request completed" if status < 500 else "request errored",
            }
            logs.append(log(group, stream, t, json.dumps(body, separators=(",", ":"))))
            if rng.random() < 0.03:
                t3 = t + timedelta(milliseconds=rng.randint(5, 900))
                warn = {
                    "level": 40,
                    "time": ms(t3),
                    "pid": 1,
                    "hostname": host,
                    "msg": "promo-service lookup slow, serving cart without promotions",
                    "elapsedMs": rng.randint(800, 1500),
                }
                logs.append(log(group, stream, t3, json.dumps(warn, separators=(",", ":"))))
            t += timedelta(seconds=rng.uniform(20, 70) / max(0.3, traffic(t)))
        if tid in stopped:
            logs.append(
                log(
                    group,
                    stream,
                    end - timedelta(seconds=1),
                    json.dumps(
                        {
                            "level": 30,
                            "time": ms(end - timedelta(seconds=1)),
                            "pid": 1,
                            "hostname": host,
                            "msg": "SIGTERM received, closing server",
                        },
                        separators=(",", ":"),
                    ),
                )
            )

    local = onset - timedelta(hours=5)
    clock = local.strftime("%I:%M%p").lstrip("0").lower()
    question = (
        f"cart-api latency jumped around {clock} and hasn't come back down: p50 has roughly doubled. There was "
        "a short burst of 5xx right at that moment (the 5xx alarm fired and cleared). No deploys tonight as far as I "
        "know. What happened and what should we do?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "America/Chicago"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": rg,
                    "category": "system_change",
                    "failure_mode": "elasticache-maintenance-failover",
                    "event_id": None,
                },
                "also_accept": [n1, n2, f"arn:aws:elasticache:{region}:{account}:replicationgroup:{rg}"],
                "actions": ["reconfigure", "restart"],
                "chain": [
                    f"ElastiCache replaces primary {n1} in the tue:07:00 maintenance window and fails over to {n2}",
                    "cart-api connections drop during the failover: burst of 5xx on target group cart-api-prod",
                    f"cart-api keeps reading from the {n2} node endpoint (REDIS_READ_HOST), now the primary, so {n2} serves reads and writes",
                    f"{n2} engine CPU roughly doubles and cart-api latency stays about twice as high",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": sorted_logs(logs),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
