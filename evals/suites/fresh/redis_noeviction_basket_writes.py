"""trolley-api basket writes fail in the late afternoon; the cache stopped evicting hours earlier."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zg as k

NAME = "redis-noeviction-basket-writes"
TITLE = "trolley-api target 5xx alarm in the late afternoon; basket adds failing"
SUMMARY = (
    "A morning edit to the Redis parameter group set maxmemory-policy to noeviction; when the basket "
    "cache reached maxmemory at the afternoon peak every write was refused (OOM) and trolley-api 5xx'd."
)

Json = dict[str, Any]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account(rng)
    region = "eu-west-1"
    day = k.base_day(rng, (1, 2, 3))
    off = 1.0 if 4 <= day.month <= 10 else 0.0  # Europe/London
    onset = day + timedelta(hours=16.4 - off, minutes=rng.randint(0, 45), seconds=rng.randint(0, 59))
    onset = onset.replace(second=0)
    change_at = onset - timedelta(minutes=rng.randint(290, 390), seconds=-rng.randint(0, 59))
    now = onset + timedelta(minutes=rng.randint(38, 52))
    start = day - timedelta(days=2)
    fine_from = (onset - timedelta(hours=3)).replace(minute=0)
    grid = k.mixed_grid(start, fine_from, now)

    cluster = "shopfloor-prod"
    rg = "trolley-sessions"
    pgroup = "trolley-redis7"
    alb_name = "shopfloor-prod-alb"
    alb_id = k.hexs(rng, 16)
    tg_trolley = f"targetgroup/trolley-api-tg/{k.hexs(rng, 16)}"
    tg_pricing = f"targetgroup/pricing-api-tg/{k.hexs(rng, 16)}"
    lb_dim = f"app/{alb_name}/{alb_id}"
    vpc = "vpc-0" + k.hexs(rng, 16)
    subnets = ["subnet-0" + k.hexs(rng, 16) for _ in range(3)]
    azs = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    sg_api = "sg-0" + k.hexs(rng, 16)
    sg_redis = "sg-0" + k.hexs(rng, 16)
    sg_alb = "sg-0" + k.hexs(rng, 16)
    topic = f"arn:aws:sns:{region}:{acct}:shopfloor-oncall"
    today_mult = rng.uniform(1.03, 1.07)
    base_rpm = rng.uniform(2600, 3400)
    maxmem = 14037181030  # cache.r6g.large maxmemory
    fixed_pct = rng.uniform(27, 33)

    def traffic(t: datetime) -> float:
        m = today_mult if t >= day else rng_day_mult[(t - start).days]
        return k.daily(t, off, peak_h=17.5, floor=0.08) * m

    rng_day_mult = [rng.uniform(0.97, 1.01), rng.uniform(0.98, 1.02)]

    def trailing(t: datetime) -> float:
        return sum(traffic(t - timedelta(minutes=20 * i)) for i in range(18)) / 18

    amp = (100 - fixed_pct) / trailing(onset)

    metrics: list[Json] = []
    errors_by_min: dict[datetime, float] = {}
    n1 = {"CacheClusterId": f"{rg}-001", "CacheNodeId": "0001"}
    n2 = {"CacheClusterId": f"{rg}-002", "CacheNodeId": "0001"}
    items = rng.uniform(2.1e6, 2.6e6)
    for t, period in grid:
        scale = period / 60
        tr = traffic(t)
        raw = fixed_pct + amp * trailing(t) + rng.gauss(0, 0.25)
        evict = 0.0
        full = False
        if t >= change_at:
            if raw >= 100.0:
                pct = rng.uniform(99.93, 100.0)
                full = True
            else:
                pct = raw
        else:
            if raw >= 99.2:
                pct = rng.uniform(98.9, 99.6)
                evict = max(0.0, (raw - 99.0) * rng.uniform(900, 1300)) * scale
            else:
                pct = raw
        if full and t < onset:
            full = False
            pct = min(pct, 99.8)
        if t >= onset:
            full = True
            pct = max(pct, rng.uniform(99.93, 100.0))
        used = maxmem * pct / 100
        cur_items = items * (pct / 100) * rng.uniform(0.995, 1.005)
        rpm = base_rpm * tr
        sets = rpm * 2.4 * scale * (0.55 if full else 1.0) * rng.uniform(0.95, 1.05)
        cpu = 4 + 22 * tr + rng.gauss(0, 1.2)
        metrics += [
            k.metric("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", n1, t, "Percent", pct),
            k.metric("AWS/ElastiCache", "BytesUsedForCache", n1, t, "Bytes", used),
            k.metric("AWS/ElastiCache", "Evictions", n1, t, "Count", round(evict)),
            k.metric("AWS/ElastiCache", "CurrItems", n1, t, "Count", round(cur_items)),
            k.metric("AWS/ElastiCache", "EngineCPUUtilization", n1, t, "Percent", max(1.0, cpu)),
            k.metric("AWS/ElastiCache", "SetTypeCmds", n1, t, "Count", round(sets)),
            k.metric(
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                n2,
                t,
                "Percent",
                pct * 1.001 if pct < 99 else pct,
            ),
            k.metric("AWS/ElastiCache", "ReplicationLag", n2, t, "Seconds", abs(rng.gauss(0.012, 0.006))),
        ]
        # ALB
        req = rpm * scale * rng.uniform(0.96, 1.04)
        dims_t = {"LoadBalancer": lb_dim, "TargetGroup": tg_trolley}
        metrics.append(k.metric("AWS/ApplicationELB", "RequestCount", dims_t, t, "Count", round(req)))
        e5 = 0.0
        if t >= onset:
            e5 = req * rng.uniform(0.27, 0.34)
        elif rng.random() < 0.04 * scale:
            e5 = rng.randint(1, 2)
        if e5 >= 1:
            metrics.append(
                k.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims_t, t, "Count", round(e5))
            )
            if period == 60:
                errors_by_min[t] = round(e5)
        n = max(1, round(req))
        avg = rng.uniform(0.028, 0.036) * (1 + 0.25 * tr) * (0.9 if t >= onset else 1.0)
        metrics.append(
            k.stat_metric(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dims_t,
                t,
                "Seconds",
                [avg] * 1,
            )
            | {
                "statistic_values": {
                    "SampleCount": float(n),
                    "Sum": round(avg * n, 4),
                    "Minimum": 0.002,
                    "Maximum": round(rng.uniform(0.6, 1.4), 3),
                }
            }
        )
        dims_p = {"LoadBalancer": lb_dim, "TargetGroup": tg_pricing}
        metrics.append(k.metric("AWS/ApplicationELB", "RequestCount", dims_p, t, "Count", round(req * 0.42)))
        metrics.append(
            k.metric(
                "AWS/ECS",
                "CPUUtilization",
                {"ClusterName": cluster, "ServiceName": "trolley-api"},
                t,
                "Percent",
                9 + 38 * tr * (0.85 if t >= onset else 1) + rng.gauss(0, 1.5),
            )
        )
        metrics.append(
            k.metric(
                "AWS/ECS",
                "CPUUtilization",
                {"ClusterName": cluster, "ServiceName": "pricing-api"},
                t,
                "Percent",
                12 + 30 * tr + rng.gauss(0, 2),
            )
        )
        orders = rpm * 0.021 * scale * (0.35 if t >= onset else 1.0) * rng.uniform(0.9, 1.1)
        metrics.append(
            k.stat_metric(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                {"TableName": "trolley-orders"},
                t,
                "Count",
                [1.0],
            )
            | {
                "statistic_values": {
                    "SampleCount": float(max(1, round(orders))),
                    "Sum": round(orders * 2.0, 1),
                    "Minimum": 1.0,
                    "Maximum": 4.0,
                }
            }
        )

    # ---- alarms
    actions = [topic]
    a5 = k.metric_alarm(
        acct,
        region,
        "trolley-api-target-5xx",
        "trolley-api targets returning 5xx (pages shopfloor on-call)",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb_dim, "TargetGroup": tg_trolley},
        "Sum",
        60,
        5,
        3,
        25,
        "GreaterThanThreshold",
        "OK",
        "",
        start,
        start - timedelta(days=211),
        actions,
        "notBreaching",
    )
    fine_pts = [(t, errors_by_min.get(t, 0.0)) for t in k.minutes(fine_from, now)]
    trans = k.evaluate(fine_pts, 60, 5, 3, 25, "GreaterThanThreshold", True)
    trans = [x for x in trans if x[0] <= now]
    k.apply_state(a5, trans)
    created = start - timedelta(days=211)
    history = [
        h
        for h in k.history_items(a5, created, trans)
        if h["HistoryItemType"] != "ConfigurationUpdate" and "INSUFFICIENT_DATA" not in h["HistorySummary"]
    ]
    alarms = [a5]
    others = [
        (
            "trolley-sessions-engine-cpu",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            n1,
            "Average",
            300,
            3,
            80.0,
            "Redis engine CPU on the trolley-sessions primary",
        ),
        (
            "trolley-api-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": "trolley-api"},
            "Average",
            300,
            3,
            85.0,
            "trolley-api service CPU",
        ),
        (
            "pricing-api-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": lb_dim, "TargetGroup": tg_pricing},
            "Sum",
            60,
            5,
            25.0,
            "pricing-api targets returning 5xx",
        ),
        (
            "trolley-orders-write-throttles",
            "AWS/DynamoDB",
            "WriteThrottleEvents",
            {"TableName": "trolley-orders"},
            "Sum",
            300,
            1,
            0.0,
            "Throttled writes on trolley-orders",
        ),
        (
            "shopfloor-alb-elb-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": lb_dim},
            "Sum",
            60,
            3,
            50.0,
            "5xx generated by the shopfloor load balancer itself",
        ),
    ]
    for name, ns, mname, dims, stat, period, ev, th, desc in others:
        alarms.append(
            k.ok_alarm(
                acct,
                region,
                name,
                desc,
                ns,
                mname,
                dims,
                stat,
                period,
                ev,
                th,
                "GreaterThanThreshold",
                start - timedelta(days=rng.randint(3, 40)),
                start - timedelta(days=rng.randint(60, 400)),
                actions,
                "notBreaching",
            )
        )

    # ---- resources
    task_ids = [k.hexs(rng, 32) for _ in range(6)]
    pricing_ids = [k.hexs(rng, 32) for _ in range(3)]
    ips = [f"10.42.{rng.choice([16, 48, 80])}.{rng.randint(10, 250)}" for _ in range(6)]
    cl_arn = f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}"
    td_rev = rng.randint(140, 190)
    pr_rev = rng.randint(60, 90)
    td_arn = f"arn:aws:ecs:{region}:{acct}:task-definition/trolley-api:{td_rev}"
    tg_arn_t = f"arn:aws:elasticloadbalancing:{region}:{acct}:{tg_trolley}"
    tg_arn_p = f"arn:aws:elasticloadbalancing:{region}:{acct}:{tg_pricing}"
    alb_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/{lb_dim}"
    redis_host = f"master.{rg}.{k.alnum(rng, 6, False)}.euw1.cache.amazonaws.com"
    pricing_deploy = onset - timedelta(minutes=rng.randint(12, 22), seconds=rng.randint(0, 59))
    tag_change = onset - timedelta(minutes=rng.randint(5, 11), seconds=rng.randint(0, 59))
    ecr = f"{acct}.dkr.ecr.{region}.amazonaws.com"
    trolley_image_tag = f"2.{rng.randint(30, 60)}.{rng.randint(0, 9)}-{k.hexs(rng, 7)}"
    pricing_old = f"1.{rng.randint(10, 30)}.{rng.randint(0, 9)}"
    pricing_new = pricing_old.rsplit(".", 1)[0] + "." + str(int(pricing_old.rsplit(".", 1)[1]) + 1)

    def service(name: str, rev: int, desired: int, tg: str, port: int, deployed: datetime, sg: str) -> Json:
        return {
            "serviceArn": f"arn:aws:ecs:{region}:{acct}:service/{cluster}/{name}",
            "serviceName": name,
            "clusterArn": cl_arn,
            "loadBalancers": [{"targetGroupArn": tg, "containerName": name, "containerPort": port}],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": desired,
            "runningCount": desired,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{name}:{rev}",
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": "ecs-svc/" + "".join(str(rng.randint(0, 9)) for _ in range(19)),
                    "status": "PRIMARY",
                    "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{name}:{rev}",
                    "desiredCount": desired,
                    "pendingCount": 0,
                    "runningCount": desired,
                    "failedTasks": 0,
                    "createdAt": k.iso(deployed),
                    "updatedAt": k.iso(deployed + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": subnets,
                            "securityGroups": [sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": k.iso(start - timedelta(days=640)),
            "placementConstraints": [],
            "placementStrategy": [],
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
            "createdBy": f"arn:aws:iam::{acct}:role/shopfloor-terraform",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        }

    trolley_deployed = start + timedelta(hours=rng.randint(30, 34), minutes=rng.randint(0, 59))
    resources: list[Json] = [
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cl_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 9,
                "pendingTasksCount": 0,
                "activeServicesCount": 2,
                "settings": [{"name": "containerInsights", "value": "disabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        },
        {
            "service": "ecs",
            "type": "Service",
            "item": service("trolley-api", td_rev, 6, tg_arn_t, 8080, trolley_deployed, sg_api),
        },
        {
            "service": "ecs",
            "type": "Service",
            "item": service("pricing-api", pr_rev + 1, 3, tg_arn_p, 8080, pricing_deploy, sg_api),
        },
        {
            "service": "ecs",
            "type": "TaskDefinition",
            "item": {
                "taskDefinitionArn": td_arn,
                "family": "trolley-api",
                "revision": td_rev,
                "status": "ACTIVE",
                "taskRoleArn": f"arn:aws:iam::{acct}:role/trolley-api-task",
                "executionRoleArn": f"arn:aws:iam::{acct}:role/shopfloor-ecs-execution",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "containerDefinitions": [
                    {
                        "name": "trolley-api",
                        "image": f"{ecr}/trolley-api:{trolley_image_tag}",
                        "cpu": 0,
                        "essential": True,
                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                        "environment": [
                            {"name": "NODE_ENV", "value": "production"},
                            {"name": "REDIS_HOST", "value": redis_host},
                            {"name": "REDIS_TLS", "value": "true"},
                            {"name": "BASKET_TTL_SECONDS", "value": "21600"},
                            {"name": "ORDERS_TABLE", "value": "trolley-orders"},
                            {"name": "PRICING_URL", "value": "http://pricing-api.shopfloor.internal:8080"},
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": "/ecs/trolley-api",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "trolley-api",
                            },
                        },
                        "healthCheck": {
                            "command": ["CMD-SHELL", "wget -qO- http://localhost:8080/healthz || exit 1"],
                            "interval": 15,
                            "timeout": 5,
                            "retries": 3,
                            "startPeriod": 20,
                        },
                    }
                ],
                "registeredAt": k.iso(trolley_deployed - timedelta(minutes=3)),
                "registeredBy": f"arn:aws:sts::{acct}:assumed-role/gha-deploy-shopfloor/GitHubActions",
            },
        },
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"internal-{alb_name}-{rng.randint(10**8, 10**9)}.{region}.elb.amazonaws.com".replace(
                    "internal-", ""
                ),
                "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
                "CreatedTime": k.iso(start - timedelta(days=700)),
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
        },
    ]
    for arn, name in ((tg_arn_t, "trolley-api-tg"), (tg_arn_p, "pricing-api-tg")):
        resources.append(
            {
                "service": "elbv2",
                "type": "TargetGroup",
                "item": {
                    "TargetGroupArn": arn,
                    "TargetGroupName": name,
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
    rg_arn = f"arn:aws:elasticache:{region}:{acct}:replicationgroup:{rg}"
    rg_created = start - timedelta(days=rng.randint(300, 600))
    resources.append(
        {
            "service": "elasticache",
            "type": "ReplicationGroup",
            "item": {
                "ReplicationGroupId": rg,
                "Description": "trolley-api baskets and sessions",
                "Status": "available",
                "PendingModifiedValues": {},
                "MemberClusters": [f"{rg}-001", f"{rg}-002"],
                "NodeGroups": [
                    {
                        "NodeGroupId": "0001",
                        "Status": "available",
                        "PrimaryEndpoint": {"Address": redis_host, "Port": 6379},
                        "ReaderEndpoint": {
                            "Address": redis_host.replace("master.", "replica."),
                            "Port": 6379,
                        },
                        "NodeGroupMembers": [
                            {
                                "CacheClusterId": f"{rg}-001",
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": f"{rg}-001.{redis_host.split('.', 2)[2]}",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": "eu-west-1a",
                                "CurrentRole": "primary",
                            },
                            {
                                "CacheClusterId": f"{rg}-002",
                                "CacheNodeId": "0001",
                                "ReadEndpoint": {
                                    "Address": f"{rg}-002.{redis_host.split('.', 2)[2]}",
                                    "Port": 6379,
                                },
                                "PreferredAvailabilityZone": "eu-west-1b",
                                "CurrentRole": "replica",
                            },
                        ],
                    }
                ],
                "SnapshottingClusterId": f"{rg}-002",
                "AutomaticFailover": "enabled",
                "MultiAZ": "enabled",
                "SnapshotRetentionLimit": 1,
                "SnapshotWindow": "03:00-04:00",
                "ClusterEnabled": False,
                "CacheNodeType": "cache.r6g.large",
                "AuthTokenEnabled": False,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": rg_arn,
                "ReplicationGroupCreateTime": k.iso(rg_created),
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
    for i, az in ((1, "eu-west-1a"), (2, "eu-west-1b")):
        resources.append(
            {
                "service": "elasticache",
                "type": "CacheCluster",
                "item": {
                    "CacheClusterId": f"{rg}-00{i}",
                    "CacheNodeType": "cache.r6g.large",
                    "Engine": "redis",
                    "EngineVersion": "7.1.0",
                    "CacheClusterStatus": "available",
                    "NumCacheNodes": 1,
                    "PreferredAvailabilityZone": az,
                    "CacheClusterCreateTime": k.iso(rg_created),
                    "PreferredMaintenanceWindow": "sun:04:30-sun:05:30",
                    "PendingModifiedValues": {},
                    "NotificationConfiguration": {"TopicArn": topic, "TopicStatus": "active"},
                    "CacheSecurityGroups": [],
                    "CacheParameterGroup": {
                        "CacheParameterGroupName": pgroup,
                        "ParameterApplyStatus": "in-sync",
                        "CacheNodeIdsToReboot": [],
                    },
                    "CacheSubnetGroupName": "shopfloor-prod-cache",
                    "AutoMinorVersionUpgrade": True,
                    "SecurityGroups": [{"SecurityGroupId": sg_redis, "Status": "active"}],
                    "ReplicationGroupId": rg,
                    "SnapshotRetentionLimit": 1 if i == 2 else 0,
                    "SnapshotWindow": "03:00-04:00",
                    "AuthTokenEnabled": False,
                    "TransitEncryptionEnabled": True,
                    "AtRestEncryptionEnabled": True,
                    "ARN": f"arn:aws:elasticache:{region}:{acct}:cluster:{rg}-00{i}",
                    "ReplicationGroupLogDeliveryEnabled": False,
                    "LogDeliveryConfigurations": [],
                    "NetworkType": "ipv4",
                    "IpDiscovery": "ipv4",
                    "TransitEncryptionMode": "required",
                },
            }
        )
    resources.append(
        {
            "service": "elasticache",
            "type": "CacheParameterGroup",
            "item": {
                "CacheParameterGroupName": pgroup,
                "CacheParameterGroupFamily": "redis7",
                "Description": "trolley sessions (redis 7)",
                "IsGlobal": False,
                "ARN": f"arn:aws:elasticache:{region}:{acct}:parametergroup:{pgroup}",
            },
        }
    )
    params = [
        (
            "maxmemory-policy",
            "noeviction",
            "user",
            "string",
            "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
            "Max memory policy.",
        ),
        ("maxmemory-samples", "3", "system", "integer", "1-", "Max memory samples."),
        (
            "reserved-memory-percent",
            "25",
            "system",
            "integer",
            "0-100",
            "The percent of memory reserved for non-cache memory usage. You may want to increase this parameter "
            "for nodes with read replicas, AOF enabled, etc, to reduce swap usage.",
        ),
        (
            "timeout",
            "300",
            "user",
            "integer",
            "0,20-",
            "Close connection if client is idle for a given number of seconds, or never if 0.",
        ),
        (
            "notify-keyspace-events",
            "",
            "system",
            "string",
            None,
            "The keyspace events for Redis to notify Pub/Sub clients about. By default all notifications are disabled",
        ),
        ("activedefrag", "no", "system", "string", "yes,no", "Enabled active memory defragmentation"),
    ]
    for pname, val, src, dtype, allowed, desc in params:
        p: Json = {
            "CacheParameterGroupName": pgroup,
            "ParameterName": pname,
            "ParameterValue": val,
            "Description": desc,
            "Source": src,
            "DataType": dtype,
            "IsModifiable": True,
            "MinimumEngineVersion": "7.0.0",
            "ChangeType": "immediate",
        }
        if allowed:
            p["AllowedValues"] = allowed
        resources.append({"service": "elasticache", "type": "CacheParameterGroupParameter", "item": p})
    resources.append(
        {
            "service": "dynamodb",
            "type": "TableDescription",
            "item": {
                "TableName": "trolley-orders",
                "TableStatus": "ACTIVE",
                "AttributeDefinitions": [
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "sk", "AttributeType": "S"},
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "CreationDateTime": k.iso(start - timedelta(days=900)),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randint(30, 60) * 10**9,
                "ItemCount": rng.randint(40, 90) * 10**6,
                "TableArn": f"arn:aws:dynamodb:{region}:{acct}:table/trolley-orders",
                "TableId": k.uid(rng),
                "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
                "DeletionProtectionEnabled": True,
            },
        }
    )
    for sg, name, desc in (
        (sg_api, "shopfloor-api-tasks", "shopfloor api tasks"),
        (sg_redis, "trolley-sessions-redis", "trolley-sessions redis"),
        (sg_alb, "shopfloor-prod-alb", "shopfloor public alb"),
    ):
        perms: list[Json]
        if name.endswith("redis"):
            perms = [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 6379,
                    "ToPort": 6379,
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [{"GroupId": sg_api, "UserId": acct}],
                }
            ]
        elif name.endswith("tasks"):
            perms = [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "IpRanges": [],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [{"GroupId": sg_alb, "UserId": acct}],
                }
            ]
        else:
            perms = [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                    "Ipv6Ranges": [],
                    "PrefixListIds": [],
                    "UserIdGroupPairs": [],
                }
            ]
        resources.append(
            {
                "service": "ec2",
                "type": "SecurityGroup",
                "item": {
                    "GroupId": sg,
                    "GroupName": name,
                    "Description": desc,
                    "OwnerId": acct,
                    "VpcId": vpc,
                    "IpPermissions": perms,
                    "IpPermissionsEgress": [
                        {
                            "IpProtocol": "-1",
                            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                            "Ipv6Ranges": [],
                            "PrefixListIds": [],
                            "UserIdGroupPairs": [],
                        }
                    ],
                },
            }
        )
    for lg in ("/ecs/trolley-api", "/ecs/pricing-api"):
        resources.append(
            {
                "service": "logs",
                "type": "LogGroup",
                "item": {
                    "logGroupName": lg,
                    "creationTime": k.ms(start - timedelta(days=650)),
                    "retentionInDays": 30,
                    "metricFilterCount": 0,
                    "arn": f"arn:aws:logs:{region}:{acct}:log-group:{lg}:*",
                    "storedBytes": rng.randint(10**9, 9 * 10**9),
                    "logGroupClass": "STANDARD",
                    "logGroupArn": f"arn:aws:logs:{region}:{acct}:log-group:{lg}",
                },
            }
        )

    # ---- events: target health (all healthy), ECS service events
    events: list[Json] = []
    for tid, ip in zip(task_ids, ips, strict=True):
        del tid
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn_t,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": rng.choice(azs)},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(trolley_deployed + timedelta(minutes=2)),
                },
            }
        )
    p_svc = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/pricing-api"
    t_svc = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/trolley-api"
    new_pricing = [k.hexs(rng, 32) for _ in range(3)]
    p_ips = [f"10.42.{rng.choice([16, 48, 80])}.{rng.randint(10, 250)}" for _ in range(6)]
    for i, ip in enumerate(p_ips[:3]):
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn_p,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(start),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn_p,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {
                        "State": "draining",
                        "Reason": "Target.DeregistrationInProgress",
                        "Description": "Target deregistration is in progress",
                    },
                    "timestamp": k.iso(pricing_deploy + timedelta(minutes=3, seconds=10)),
                },
            }
        )
    for i, ip in enumerate(p_ips[3:]):
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn_p,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": k.iso(pricing_deploy + timedelta(minutes=1, seconds=40)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn_p,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": azs[i]},
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(pricing_deploy + timedelta(minutes=2, seconds=35)),
                },
            }
        )

    def ecs_ev(svc: str, t: datetime, msg: str) -> Json:
        return {
            "source": "ecs",
            "item": {"service_arn": svc, "event": {"id": k.uid(rng), "createdAt": k.iso(t), "message": msg}},
        }

    for h in range(0, int((now - start).total_seconds() // 3600), 6):
        t = start + timedelta(hours=h, minutes=rng.randint(0, 50))
        events.append(ecs_ev(t_svc, t, "(service trolley-api) has reached a steady state."))
        events.append(
            ecs_ev(p_svc, t + timedelta(minutes=3), "(service pricing-api) has reached a steady state.")
        )
    events += [
        ecs_ev(
            p_svc,
            pricing_deploy + timedelta(seconds=20),
            f"(service pricing-api) has started 3 tasks: (task {new_pricing[0]}) (task {new_pricing[1]}) "
            f"(task {new_pricing[2]}).",
        ),
        ecs_ev(
            p_svc,
            pricing_deploy + timedelta(minutes=2, seconds=50),
            f"(service pricing-api) registered 3 targets in (target-group {tg_arn_p})",
        ),
        ecs_ev(
            p_svc,
            pricing_deploy + timedelta(minutes=3, seconds=10),
            "(service pricing-api) has begun draining connections on 3 tasks.",
        ),
        ecs_ev(
            p_svc,
            pricing_deploy + timedelta(minutes=3, seconds=12),
            f"(service pricing-api) deregistered 3 targets in (target-group {tg_arn_p})",
        ),
        ecs_ev(
            p_svc,
            pricing_deploy + timedelta(minutes=4, seconds=5),
            f"(service pricing-api) has stopped 3 running tasks: (task {pricing_ids[0]}) "
            f"(task {pricing_ids[1]}) (task {pricing_ids[2]}).",
        ),
        ecs_ev(
            p_svc,
            pricing_deploy + timedelta(minutes=6, seconds=30),
            "(service pricing-api) deployment ecs-svc/"
            + "".join(str(rng.randint(0, 9)) for _ in range(19))
            + " deployment completed.",
        ),
        ecs_ev(
            p_svc,
            pricing_deploy + timedelta(minutes=6, seconds=31),
            "(service pricing-api) has reached a steady state.",
        ),
    ]
    events = [e for e in events if _ev_time(e) <= k.iso(now)]
    events.sort(key=_ev_time)

    # ---- CloudTrail
    sso_plat = k.Principal(
        rng,
        acct,
        "sso",
        f"AWSReservedSSO_PlatformEngineer_{k.hexs(rng, 16)}",
        rng.choice(["aoife.brennan", "tomasz.wrobel", "priya.raman"]) + "@trolleyco.co.uk",
        k.public_ip(rng),
        k.CONSOLE_UA,
    )
    sso_dev = k.Principal(
        rng,
        acct,
        "sso",
        f"AWSReservedSSO_Developer_{k.hexs(rng, 16)}",
        rng.choice(["sam.okoro", "lena.fischer", "jack.hume"]) + "@trolleyco.co.uk",
        k.public_ip(rng),
        k.CONSOLE_UA,
    )
    sso_fin = k.Principal(
        rng,
        acct,
        "sso",
        f"AWSReservedSSO_FinOps_{k.hexs(rng, 16)}",
        rng.choice(["martha.lee", "dev.patel"]) + "@trolleyco.co.uk",
        k.public_ip(rng),
        k.CLI_UA.format(cmd="elasticache.add-tags-to-resource"),
    )
    ci = k.Principal(
        rng, acct, "role", "gha-deploy-shopfloor", "GitHubActions", k.gha_ip(rng), k.GHA_UA.format(api="ecs")
    )
    graf = k.Principal(rng, acct, "role", "grafana-cloudwatch-read", "grafana", k.public_ip(rng), k.BOTO_UA)
    ct: list[Json] = []
    reads: list[tuple[str, str, Json | None]] = [
        ("elasticache.amazonaws.com", "DescribeReplicationGroups", {"replicationGroupId": rg}),
        ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["trolley-api"]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": "pricing-api"}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn_t}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "trolley"}),
        (
            "logs.amazonaws.com",
            "DescribeLogStreams",
            {"logGroupName": "/ecs/trolley-api", "descending": True, "orderBy": "LastEventTime"},
        ),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "trolley-orders"}),
    ]
    ct += k.readonly_noise(
        rng, [sso_dev, sso_plat], k.every(rng, start + timedelta(hours=8), now, 5400), region, reads
    )
    ct += k.readonly_noise(
        rng,
        [graf],
        k.every(rng, start, now, 9000),
        region,
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"stateValue": "ALARM"}),
            ("tagging.amazonaws.com", "GetResources", {"resourceTypeFilters": ["elasticache:cluster"]}),
        ],
    )
    # the morning parameter edit (console), preceded by looking at the group
    ct.append(
        k.trail(
            rng,
            sso_plat,
            change_at - timedelta(minutes=3, seconds=12),
            region,
            "elasticache.amazonaws.com",
            "DescribeCacheParameters",
            {"cacheParameterGroupName": pgroup, "maxRecords": 100},
            None,
            True,
        )
    )
    culprit = k.trail(
        rng,
        sso_plat,
        change_at,
        region,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        {
            "cacheParameterGroupName": pgroup,
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}],
        },
        {"cacheParameterGroupName": pgroup},
    )
    ct.append(culprit)
    ct.append(
        k.trail(
            rng,
            sso_plat,
            change_at + timedelta(minutes=1, seconds=5),
            region,
            "elasticache.amazonaws.com",
            "DescribeCacheParameters",
            {"cacheParameterGroupName": pgroup, "maxRecords": 100},
            None,
            True,
        )
    )

    def deploy(svc: str, t: datetime, rev: int, image: str) -> list[Json]:
        fam_arn = f"arn:aws:ecs:{region}:{acct}:task-definition/{svc}:{rev}"
        return [
            k.trail(
                rng,
                ci,
                t - timedelta(seconds=41),
                region,
                "ecs.amazonaws.com",
                "RegisterTaskDefinition",
                {
                    "family": svc,
                    "networkMode": "awsvpc",
                    "requiresCompatibilities": ["FARGATE"],
                    "cpu": "1024",
                    "memory": "2048",
                    "containerDefinitions": [{"name": svc, "image": image, "essential": True}],
                },
                {
                    "taskDefinition": {
                        "taskDefinitionArn": fam_arn,
                        "family": svc,
                        "revision": rev,
                        "status": "ACTIVE",
                    }
                },
            ),
            k.trail(
                rng,
                ci,
                t,
                region,
                "ecs.amazonaws.com",
                "UpdateService",
                {"cluster": cluster, "service": svc, "taskDefinition": fam_arn, "forceNewDeployment": False},
                {
                    "service": {
                        "serviceName": svc,
                        "taskDefinition": fam_arn,
                        "desiredCount": 6 if svc == "trolley-api" else 3,
                        "status": "ACTIVE",
                    }
                },
            ),
            k.trail(
                rng,
                ci,
                t + timedelta(seconds=30),
                region,
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": [svc]},
                None,
                True,
            ),
        ]

    ct += deploy("trolley-api", trolley_deployed, td_rev, f"{ecr}/trolley-api:{trolley_image_tag}")
    ct += deploy(
        "pricing-api",
        start + timedelta(hours=rng.randint(10, 14), minutes=rng.randint(0, 59)),
        pr_rev,
        f"{ecr}/pricing-api:{pricing_old}",
    )
    ct += deploy("pricing-api", pricing_deploy, pr_rev + 1, f"{ecr}/pricing-api:{pricing_new}")
    ct.append(
        k.trail(
            rng,
            sso_fin,
            tag_change,
            region,
            "elasticache.amazonaws.com",
            "AddTagsToResource",
            {
                "resourceName": rg_arn,
                "tags": [
                    {"key": "cost-centre", "value": "CC-4410"},
                    {"key": "owner", "value": "basket-team"},
                ],
            },
            {
                "tagList": [
                    {"key": "service", "value": "trolley"},
                    {"key": "env", "value": "prod"},
                    {"key": "cost-centre", "value": "CC-4410"},
                    {"key": "owner", "value": "basket-team"},
                ]
            },
        )
    )
    ct.append(
        k.trail(
            rng,
            sso_dev,
            start + timedelta(hours=rng.randint(33, 40)),
            region,
            "logs.amazonaws.com",
            "PutRetentionPolicy",
            {"logGroupName": "/ecs/pricing-api", "retentionInDays": 30},
            None,
        )
    )
    ct.append(
        k.trail(
            rng,
            sso_dev,
            onset - timedelta(minutes=rng.randint(25, 29)),
            region,
            "ssm.amazonaws.com",
            "PutParameter",
            {"name": "/pricing-api/prod/feature.promo-bundles", "type": "String", "overwrite": True},
            {"version": rng.randint(4, 20), "tier": "Standard"},
        )
    )
    ct.append(
        k.trail(
            rng,
            k.Principal(
                rng, acct, "service", "", "", "elasticache.amazonaws.com", "elasticache.amazonaws.com"
            ),
            day + timedelta(hours=3, minutes=rng.randint(2, 40)),
            region,
            "ec2.amazonaws.com",
            "DescribeNetworkInterfaces",
            {"filterSet": {"items": [{"name": "group-id", "valueSet": {"items": [{"value": sg_redis}]}}]}},
            None,
            True,
        )
    )
    ct = [r for r in ct if r["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda r: r["eventTime"])

    # ---- logs
    logs: list[Json] = []
    hosts = [f"ip-{ip.replace('.', '-')}.{region}.compute.internal" for ip in ips]
    paths_r = ["/v2/basket", "/v2/basket", "/v2/basket/summary", "/v2/slots?postcode=", "/healthz"]
    paths_w = [
        ("POST", "/v2/basket/items"),
        ("PATCH", "/v2/basket/items/"),
        ("POST", "/v2/session"),
        ("DELETE", "/v2/basket/items/"),
    ]
    redis_cmds = {
        "POST /v2/basket/items": "HSET",
        "PATCH /v2/basket/items/": "HINCRBY",
        "POST /v2/session": "SET",
        "DELETE /v2/basket/items/": "HDEL",
    }
    for i, tid in enumerate(task_ids):
        stream = f"trolley-api/trolley-api/{tid}"
        t0 = trolley_deployed + timedelta(seconds=25 + i * 7)
        logs.append(
            {
                "log_group": "/ecs/trolley-api",
                "log_stream": stream,
                "timestamp": k.ms(t0),
                "message": _dump(
                    {
                        "level": 30,
                        "time": k.ms(t0),
                        "pid": 1,
                        "hostname": hosts[i],
                        "msg": f"redis connected {redis_host}:6379 (tls)",
                    }
                ),
            }
        )
        logs.append(
            {
                "log_group": "/ecs/trolley-api",
                "log_stream": stream,
                "timestamp": k.ms(t0) + 180,
                "message": _dump(
                    {
                        "level": 30,
                        "time": k.ms(t0) + 180,
                        "pid": 1,
                        "hostname": hosts[i],
                        "msg": "trolley-api listening on :8080",
                        "version": trolley_image_tag,
                    }
                ),
            }
        )
        for t in k.every(rng, max(t0 + timedelta(minutes=1), start), now, 95):
            if t < fine_from and rng.random() < 0.8:
                continue
            bad = t >= onset and rng.random() < 0.62
            if bad or rng.random() < 0.4:
                method, path = rng.choice(paths_w)
            else:
                method, path = "GET", rng.choice(paths_r)
            url = (
                path
                + (str(rng.randint(10, 400)) if path.endswith("/") else "")
                + (
                    rng.choice(["SW1A", "M14", "LS6", "BS3"]) + "%20" + str(rng.randint(1, 9)) + "AB"
                    if path.endswith("=")
                    else ""
                )
            )
            rid = k.uid(rng)
            if bad and method != "GET":
                cmd = redis_cmds.get(f"{method} {path}", "HSET")
                logs.append(
                    {
                        "log_group": "/ecs/trolley-api",
                        "log_stream": stream,
                        "timestamp": k.ms(t),
                        "message": _dump(
                            {
                                "level": 50,
                                "time": k.ms(t),
                                "pid": 1,
                                "hostname": hosts[i],
                                "reqId": rid,
                                "err": {
                                    "type": "ReplyError",
                                    "message": "OOM command not allowed when used memory > 'maxmemory'.",
                                    "stack": "ReplyError: OOM command not allowed when used memory > "
                                    "'maxmemory'.\n    at parseError (/app/node_modules/"
                                    "redis-parser/lib/parser.js:179:12)\n    at parseType "
                                    "(/app/node_modules/redis-parser/lib/parser.js:302:14)",
                                    "command": {"name": cmd.lower(), "args": ["basket:" + k.hexs(rng, 12)]},
                                },
                                "msg": "basket store write failed",
                            }
                        ),
                    }
                )
                status, rt = 500, rng.randint(3, 12)
            else:
                status = 200 if method != "POST" else 201
                rt = rng.randint(4, 40) if path != "/v2/slots?postcode=" else rng.randint(40, 180)
            logs.append(
                {
                    "log_group": "/ecs/trolley-api",
                    "log_stream": stream,
                    "timestamp": k.ms(t) + rt,
                    "message": _dump(
                        {
                            "level": 30 if status < 500 else 50,
                            "time": k.ms(t) + rt,
                            "pid": 1,
                            "hostname": hosts[i],
                            "reqId": rid,
                            "req": {"method": method, "url": url},
                            "res": {"statusCode": status},
                            "responseTime": rt,
                            "msg": "request completed",
                        }
                    ),
                }
            )
        for t in k.every(rng, start, now, 4 * 3600):
            logs.append(
                {
                    "log_group": "/ecs/trolley-api",
                    "log_stream": stream,
                    "timestamp": k.ms(t),
                    "message": _dump(
                        {
                            "level": 40,
                            "time": k.ms(t),
                            "pid": 1,
                            "hostname": hosts[i],
                            "msg": "pricing lookup slow",
                            "upstream": "pricing-api",
                            "elapsedMs": rng.randint(800, 1900),
                        }
                    ),
                }
            )
    for j, tid in enumerate(new_pricing):
        stream = f"pricing-api/pricing-api/{tid}"
        t0 = pricing_deploy + timedelta(seconds=50 + j * 4)
        for n, line in enumerate(
            [
                "  .   ____          _            __ _ _\n :: Spring Boot ::                (v3.2.5)",
                f"INFO 1 --- [pricing-api] [           main] c.t.pricing.PricingApplication           : "
                f"Starting PricingApplication v{pricing_new} using Java 21.0.3 with PID 1",
                "INFO 1 --- [pricing-api] [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : "
                "Tomcat started on port 8080 (http) with context path '/'",
                f"INFO 1 --- [pricing-api] [           main] c.t.pricing.PricingApplication           : "
                f"Started PricingApplication in {rng.uniform(14, 22):.3f} seconds (process running for "
                f"{rng.uniform(16, 24):.3f})",
            ]
        ):
            ts = t0 + timedelta(seconds=n * 3)
            logs.append(
                {
                    "log_group": "/ecs/pricing-api",
                    "log_stream": stream,
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso_ms(ts)[:-1]}+00:00  {line}" if n else line,
                }
            )
        for t in k.every(rng, t0 + timedelta(minutes=2), now, 600):
            logs.append(
                {
                    "log_group": "/ecs/pricing-api",
                    "log_stream": stream,
                    "timestamp": k.ms(t),
                    "message": f"{k.iso_ms(t)[:-1]}+00:00  WARN 1 --- [pricing-api] [nio-8080-exec-"
                    f"{rng.randint(1, 40)}] c.t.pricing.promo.BundleResolver         : "
                    f"promo bundle {rng.randint(1000, 9999)} has no active price list, skipping",
                }
            )
    logs = [x for x in logs if x["timestamp"] <= k.ms(now)]
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    fire = next(x for x in trans if x[1] == "ALARM")
    prev_ok = start - timedelta(days=rng.randint(3, 20))
    event = k.alarm_event(
        rng,
        a5,
        fire,
        (
            "OK",
            "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (25.0)",
            prev_ok,
        ),
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pgroup,
                    "category": "change",
                    "failure_mode": "cache-eviction-disabled-memory-full",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [
                    f"arn:aws:elasticache:{region}:{acct}:parametergroup:{pgroup}",
                    rg,
                    f"{rg}-001",
                    rg_arn,
                ],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"ModifyCacheParameterGroup set maxmemory-policy=noeviction on {pgroup} in the morning",
                    f"{rg} primary reached maxmemory at the afternoon peak and stopped evicting",
                    "Redis refused every write with OOM (reads still served)",
                    "trolley-api basket and session writes returned 500",
                    "trolley-api-target-5xx alarm on shopfloor-prod-alb",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )


def _ev_time(e: Json) -> str:
    item = e["item"]
    if e["source"] == "ecs":
        return str(item["event"]["createdAt"])
    return str(item["timestamp"])


def _dump(obj: Json) -> str:
    return json.dumps(obj, separators=(",", ":"))
