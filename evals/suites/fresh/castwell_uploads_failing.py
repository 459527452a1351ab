"""Podcast uploads and sign-ins failing on the Castwell studio since mid-afternoon."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zi import (
    CLI_UA,
    CONSOLE_UA,
    CONSOLE_UA2,
    DD_UA,
    GHA_UA,
    TF_UA,
    AlarmSpec,
    Ctx,
    Json,
    Principal,
    account_id,
    aggregate,
    background_reads,
    diurnal,
    evaluate_alarm,
    grid,
    iso,
    lognormal_ms,
    network,
    noisy,
    ok_alarm,
    poisson,
    private_ip,
    role_session,
    security_group,
    sg_rule,
    sso_user,
    trail,
)

NAME = "castwell-studio-uploads-failing"
TITLE = "Episode uploads and creator sign-ins failing on the studio since mid-afternoon"
SUMMARY = (
    "studio-api returns 500 on upload-session creation, part uploads and sign-in while dashboards still load; "
    "the shared Redis became full hours after a parameter-group edit"
)

TZ = ZoneInfo("Europe/London")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    day = datetime(2024, 3, 4, tzinfo=TZ) + timedelta(days=rng.randrange(0, 200))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset_local = day.replace(hour=14, minute=0) + timedelta(minutes=rng.randrange(35, 95))
    onset = onset_local.astimezone(UTC)
    offset_h = onset_local.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    start = (day - timedelta(days=1)).replace(hour=13, minute=0).astimezone(UTC)
    now = onset + timedelta(minutes=rng.randrange(38, 56))
    ctx = Ctx(rng, account_id(rng), "eu-west-2", start, now)
    change_at = (
        day.replace(hour=9, minute=20) + timedelta(minutes=rng.randrange(0, 45), seconds=rng.randrange(60))
    ).astimezone(UTC)
    deploy_at = onset - timedelta(minutes=rng.randrange(17, 26), seconds=rng.randrange(60))
    azs = ["eu-west-2a", "eu-west-2b", "eu-west-2c"]
    net = network(ctx, "castwell-prod", rng.choice([20, 24, 32]), azs)

    # --- security groups -------------------------------------------------------------------------
    alb_sg = security_group(
        ctx, net, "studio-alb", "studio ALB", [sg_rule(443, cidr="0.0.0.0/0", desc="https")]
    )
    app_sg = security_group(
        ctx, net, "studio-api-tasks", "studio-api ECS tasks", [sg_rule(8080, group=alb_sg)]
    )
    worker_sg = security_group(ctx, net, "transcode-worker-tasks", "transcode workers", [])
    redis_sg = security_group(
        ctx,
        net,
        "castwell-app-redis",
        "app redis",
        [sg_rule(6379, group=app_sg), sg_rule(6379, group=worker_sg)],
    )
    db_sg = security_group(
        ctx,
        net,
        "castwell-pg-prod",
        "postgres",
        [sg_rule(5432, group=app_sg), sg_rule(5432, group=worker_sg)],
    )

    # --- ElastiCache -----------------------------------------------------------------------------
    rg_id = "castwell-app-redis"
    pg_name = "castwell-redis7"
    nodes = [f"{rg_id}-001", f"{rg_id}-002"]
    node_azs = [azs[0], azs[1]]
    maxmem_bytes = 5_020_000_000  # cache.m6g.large maxmemory after the 25% reserved-memory default
    created_rg = start - timedelta(days=rng.randrange(300, 700))
    primary_ep = f"master.{rg_id}.{ctx.hex(6)}.euw2.cache.amazonaws.com"
    ctx.resource(
        "elasticache",
        "ReplicationGroup",
        {
            "ReplicationGroupId": rg_id,
            "Description": "studio sessions, cache and job queues",
            "Status": "available",
            "MemberClusters": nodes,
            "NodeGroups": [
                {
                    "NodeGroupId": "0001",
                    "Status": "available",
                    "PrimaryEndpoint": {"Address": primary_ep, "Port": 6379},
                    "ReaderEndpoint": {"Address": primary_ep.replace("master.", "replica."), "Port": 6379},
                    "NodeGroupMembers": [
                        {
                            "CacheClusterId": n,
                            "CacheNodeId": "0001",
                            "PreferredAvailabilityZone": az,
                            "CurrentRole": "primary" if i == 0 else "replica",
                        }
                        for i, (n, az) in enumerate(zip(nodes, node_azs, strict=True))
                    ],
                }
            ],
            "AutomaticFailover": "enabled",
            "MultiAZ": "enabled",
            "SnapshotRetentionLimit": 3,
            "SnapshotWindow": "02:30-03:30",
            "ClusterEnabled": False,
            "CacheNodeType": "cache.m6g.large",
            "AuthTokenEnabled": True,
            "TransitEncryptionEnabled": True,
            "AtRestEncryptionEnabled": True,
            "ARN": ctx.arn("elasticache", f"replicationgroup:{rg_id}"),
            "ReplicationGroupCreateTime": iso(created_rg),
            "Engine": "redis",
        },
    )
    for i, n in enumerate(nodes):
        ctx.resource(
            "elasticache",
            "CacheCluster",
            {
                "CacheClusterId": n,
                "ClientDownloadLandingPage": "https://console.aws.amazon.com/elasticache/home#client-download:",
                "CacheNodeType": "cache.m6g.large",
                "Engine": "redis",
                "EngineVersion": "7.1.0",
                "CacheClusterStatus": "available",
                "NumCacheNodes": 1,
                "PreferredAvailabilityZone": node_azs[i],
                "CacheClusterCreateTime": iso(created_rg),
                "PreferredMaintenanceWindow": "sun:04:00-sun:05:00",
                "CacheSecurityGroups": [],
                "CacheParameterGroup": {
                    "CacheParameterGroupName": pg_name,
                    "ParameterApplyStatus": "in-sync",
                    "CacheNodeIdsToReboot": [],
                },
                "CacheSubnetGroupName": "castwell-prod-cache",
                "AutoMinorVersionUpgrade": True,
                "SecurityGroups": [{"SecurityGroupId": redis_sg, "Status": "active"}],
                "ReplicationGroupId": rg_id,
                "SnapshotRetentionLimit": 3 if i == 1 else 0,
                "SnapshotWindow": "02:30-03:30",
                "AuthTokenEnabled": True,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": True,
                "ARN": ctx.arn("elasticache", f"cluster:{n}"),
                "ReplicationGroupLogDeliveryEnabled": False,
                "NetworkType": "ipv4",
                "IpDiscovery": "ipv4",
            },
        )
    ctx.resource(
        "elasticache",
        "CacheParameterGroup",
        {
            "CacheParameterGroupName": pg_name,
            "CacheParameterGroupFamily": "redis7",
            "Description": "castwell redis 7 settings",
            "IsGlobal": False,
            "ARN": ctx.arn("elasticache", f"parametergroup:{pg_name}"),
        },
    )
    params = [
        (
            "maxmemory-policy",
            "noeviction",
            "string",
            "Max memory policy.",
            "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction",
        ),
        (
            "reserved-memory-percent",
            "25",
            "integer",
            "The percent of memory to reserve for non-cache memory usage.",
            "0-100",
        ),
        (
            "timeout",
            "300",
            "integer",
            "Close connection if client is idle for a given number of seconds, or never if 0.",
            "0,20-",
        ),
        (
            "notify-keyspace-events",
            "Ex",
            "string",
            "The keyspace events for Redis to notify Pub/Sub clients about.",
            None,
        ),
        ("maxmemory-samples", "5", "integer", "Max memory samples.", "1-"),
    ]
    for pname, value, dtype, desc, allowed in params:
        item: Json = {
            "CacheParameterGroupName": pg_name,
            "ParameterName": pname,
            "ParameterValue": value,
            "Description": desc,
            "Source": "user"
            if pname in {"maxmemory-policy", "timeout", "notify-keyspace-events"}
            else "system",
            "DataType": dtype,
            "IsModifiable": True,
            "MinimumEngineVersion": "7.0.0",
            "ChangeType": "immediate",
        }
        if allowed:
            item["AllowedValues"] = allowed
        ctx.resource("elasticache", "CacheParameterGroupParameter", item)

    # --- RDS -------------------------------------------------------------------------------------
    db_id = "castwell-pg-prod"
    ctx.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db_id,
            "DBInstanceClass": "db.r6g.large",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "castwell_admin",
            "DBName": "studio",
            "Endpoint": {
                "Address": f"{db_id}.{ctx.hex(12)}.eu-west-2.rds.amazonaws.com",
                "Port": 5432,
                "HostedZoneId": "Z1TTGA775OQIYO",
            },
            "AllocatedStorage": 400,
            "InstanceCreateTime": iso(created_rg - timedelta(days=200)),
            "PreferredBackupWindow": "01:00-01:30",
            "BackupRetentionPeriod": 14,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": "castwell-pg15", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": azs[0],
            "SecondaryAvailabilityZone": azs[1],
            "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
            "MultiAZ": True,
            "EngineVersion": "15.5",
            "AutoMinorVersionUpgrade": True,
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + ctx.upper(26),
            "DBInstanceArn": ctx.arn("rds", f"db:{db_id}"),
            "PerformanceInsightsEnabled": True,
            "DeletionProtection": True,
        },
    )

    # --- ECS, ALB --------------------------------------------------------------------------------
    cluster = "castwell-prod"
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 7,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    lb_name = "castwell-studio"
    lb_hex = ctx.hex(16)
    lb_arn = ctx.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    tg_hex = ctx.hex(16)
    tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/studio-api/{tg_hex}")
    lb_dim = f"app/{lb_name}/{lb_hex}"
    tg_dim = f"targetgroup/studio-api/{tg_hex}"
    ctx.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randrange(10**8, 10**9)}.eu-west-2.elb.amazonaws.com",
            "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
            "CreatedTime": iso(created_rg),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": net.vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": sid} for sid, az, _ in net.public],
            "SecurityGroups": [alb_sg],
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "studio-api",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": net.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    ctx.resource(
        "elbv2",
        "Listener",
        {
            "ListenerArn": ctx.arn("elasticloadbalancing", f"listener/app/{lb_name}/{lb_hex}/{ctx.hex(16)}"),
            "LoadBalancerArn": lb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": ctx.arn("acm", f"certificate/{ctx.uuid()}")}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn, "Order": 1}],
        },
    )
    old_rev = rng.randrange(140, 260)
    new_rev = old_rev + 1
    old_img, new_img = f"v2.{rng.randrange(30, 60)}.{rng.randrange(0, 9)}", ""
    new_img = old_img.rsplit(".", 1)[0] + "." + str(int(old_img.rsplit(".", 1)[1]) + 1)
    ecr = f"{ctx.account}.dkr.ecr.eu-west-2.amazonaws.com"
    svc_arn = ctx.arn("ecs", f"service/{cluster}/studio-api")
    wk_arn = ctx.arn("ecs", f"service/{cluster}/transcode-worker")
    exec_role = f"arn:aws:iam::{ctx.account}:role/castwell-ecs-execution"

    def taskdef(
        family: str, rev: int, image: str, cpu: str, mem: str, registered: datetime, env: list[Json]
    ) -> Json:
        return {
            "taskDefinitionArn": ctx.arn("ecs", f"task-definition/{family}:{rev}"),
            "family": family,
            "revision": rev,
            "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/{family}-task",
            "executionRoleArn": exec_role,
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": cpu,
            "memory": mem,
            "registeredAt": iso(registered),
            "registeredBy": f"arn:aws:sts::{ctx.account}:assumed-role/castwell-gha-deploy/GitHubActions",
            "containerDefinitions": [
                {
                    "name": family,
                    "image": f"{ecr}/{family}:{image}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
                    if family == "studio-api"
                    else [],
                    "environment": env,
                    "secrets": [
                        {
                            "name": "REDIS_AUTH",
                            "valueFrom": ctx.arn(
                                "secretsmanager",
                                "secret:prod/castwell/redis-auth-"
                                + ctx.upper(6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                            ),
                        },
                        {
                            "name": "DATABASE_URL",
                            "valueFrom": ctx.arn(
                                "secretsmanager",
                                "secret:prod/castwell/studio-db-"
                                + ctx.upper(6, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                            ),
                        },
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{family}",
                            "awslogs-region": "eu-west-2",
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        }

    studio_env = [
        {"name": "NODE_ENV", "value": "production"},
        {"name": "REDIS_HOST", "value": primary_ep},
        {"name": "UPLOAD_BUCKET", "value": "castwell-prod-media-raw"},
        {"name": "SESSION_TTL_SECONDS", "value": "1209600"},
    ]
    td_old = taskdef(
        "studio-api",
        old_rev,
        old_img,
        "1024",
        "2048",
        start - timedelta(days=rng.randrange(3, 9)),
        studio_env,
    )
    td_new = taskdef("studio-api", new_rev, new_img, "1024", "2048", deploy_at, studio_env)
    wk_rev = rng.randrange(30, 80)
    worker_started = start + timedelta(hours=rng.randrange(2, 4), minutes=rng.randrange(60))
    td_wk = taskdef(
        "transcode-worker",
        wk_rev,
        f"v1.{rng.randrange(3, 9)}.0",
        "2048",
        "4096",
        worker_started - timedelta(minutes=3),
        [
            {"name": "REDIS_HOST", "value": primary_ep},
            {"name": "QUEUE_NAME", "value": "transcode"},
            {"name": "CONCURRENCY", "value": "2"},
        ],
    )
    for td in (td_old, td_new, td_wk):
        ctx.resource("ecs", "TaskDefinition", td)

    def task_ids(n: int) -> list[str]:
        return [ctx.hex(32) for _ in range(n)]

    old_tasks, new_tasks, wk_tasks = task_ids(3), task_ids(3), task_ids(2)
    task_ips = {
        t: private_ip(ctx, net.subnets[i % 3][2]) for i, t in enumerate(old_tasks + new_tasks + wk_tasks)
    }
    dep_new = "ecs-svc/" + str(rng.randrange(10**18, 10**19))
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "studio-api",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": tg_arn, "containerName": "studio-api", "containerPort": 8080}
            ],
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "taskDefinition": td_new["taskDefinitionArn"],
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_new,
                    "status": "PRIMARY",
                    "taskDefinition": td_new["taskDefinitionArn"],
                    "desiredCount": 3,
                    "pendingCount": 0,
                    "runningCount": 3,
                    "failedTasks": 0,
                    "createdAt": iso(deploy_at + timedelta(seconds=4)),
                    "updatedAt": iso(deploy_at + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc/" + dep_new.split("/")[1] + " completed.",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": [s for s, _, _ in net.subnets],
                            "securityGroups": [app_sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                }
            ],
            "roleArn": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": iso(created_rg),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [s for s, _, _ in net.subnets],
                    "securityGroups": [app_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": wk_arn,
            "serviceName": "transcode-worker",
            "clusterArn": cluster_arn,
            "loadBalancers": [],
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "taskDefinition": td_wk["taskDefinitionArn"],
            "events": [],
            "createdAt": iso(start - timedelta(days=rng.randrange(8, 20))),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [s for s, _, _ in net.subnets],
                    "securityGroups": [worker_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "schedulingStrategy": "REPLICA",
        },
    )
    for bucket in ("castwell-prod-media-raw", "castwell-prod-media-public", "castwell-prod-alb-logs"):
        ctx.resource(
            "s3",
            "Bucket",
            {"Name": bucket, "CreationDate": iso(created_rg - timedelta(days=rng.randrange(10, 300)))},
        )

    # ECS service events and target health across the deploy
    def svc_event(t: datetime, msg: str, arn: str = svc_arn) -> None:
        ctx.event(
            "ecs", {"service_arn": arn, "event": {"id": ctx.uuid(), "createdAt": iso(t), "message": msg}}
        )

    svc_event(
        start + timedelta(minutes=rng.randrange(5, 50)), "(service studio-api) has reached a steady state."
    )
    svc_event(
        deploy_at + timedelta(seconds=20),
        f"(service studio-api) has started 3 tasks: (task {new_tasks[0]}) (task {new_tasks[1]}) (task {new_tasks[2]}).",
    )
    reg_t = deploy_at + timedelta(seconds=95)
    svc_event(reg_t, f"(service studio-api) registered 3 targets in (target-group {tg_arn})")
    drain_t = deploy_at + timedelta(seconds=170)
    svc_event(drain_t, "(service studio-api) has begun draining connections on 3 tasks.")
    svc_event(
        drain_t + timedelta(seconds=2),
        f"(service studio-api) deregistered 3 targets in (target-group {tg_arn})",
    )
    svc_event(
        drain_t + timedelta(seconds=305),
        f"(service studio-api) has stopped 3 running tasks: (task {old_tasks[0]}) (task {old_tasks[1]}) (task {old_tasks[2]}).",
    )
    svc_event(
        drain_t + timedelta(seconds=380), f"(service studio-api) deployment {dep_new} deployment completed."
    )
    svc_event(drain_t + timedelta(seconds=381), "(service studio-api) has reached a steady state.")
    svc_event(
        worker_started,
        f"(service transcode-worker) has started 2 tasks: (task {wk_tasks[0]}) (task {wk_tasks[1]}).",
        wk_arn,
    )
    svc_event(
        worker_started + timedelta(minutes=2),
        "(service transcode-worker) has reached a steady state.",
        wk_arn,
    )
    for t_id in old_tasks:
        tgt = {"Id": task_ips[t_id], "Port": 8080, "AvailabilityZone": azs[old_tasks.index(t_id)]}
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
                "timestamp": iso(drain_t),
            },
        )
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "unused",
                    "Reason": "Target.NotRegistered",
                    "Description": "Target is not registered to the target group",
                },
                "timestamp": iso(drain_t + timedelta(seconds=300)),
            },
        )
    for i, t_id in enumerate(new_tasks):
        tgt = {"Id": task_ips[t_id], "Port": 8080, "AvailabilityZone": azs[i]}
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": iso(reg_t),
            },
        )
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(reg_t + timedelta(seconds=35 + i * 4)),
            },
        )

    # --- the data: memory and traffic ------------------------------------------------------------
    fine_from = onset - timedelta(hours=2, minutes=10)
    points = grid(ctx, fine_from)
    # memory as a fraction of maxmemory: full with evictions last evening, TTL expiry overnight, and
    # (with no eviction any more) a steady climb through today's traffic to maxmemory at the onset
    y_full = (day - timedelta(days=1)).replace(hour=18, minute=rng.randrange(0, 50)).astimezone(UTC)
    y_release = (day - timedelta(days=1)).replace(hour=23, minute=rng.randrange(10, 50)).astimezone(UTC)
    morning = day.replace(hour=8, minute=0).astimezone(UTC)
    y_level = rng.uniform(0.86, 0.9)
    m_level = rng.uniform(0.63, 0.68)
    c_level = m_level + (change_at - morning).total_seconds() / 3600 * 0.008
    cum: dict[datetime, float] = {}
    acc = 0.0
    for t, period in points:
        if change_at <= t < onset:
            acc += diurnal(t, offset_h, peak_h=20.0, low=0.18) * period
        cum[t] = acc
    total = acc or 1.0
    cdn = rng.uniform(0.9, 1.1)
    rps_peak = rng.uniform(38, 52) * cdn
    hist_mem: list[tuple[datetime, float]] = []
    five_xx: list[tuple[datetime, float]] = []
    dims_tg = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    dims_lb = {"LoadBalancer": lb_dim}
    conns_base = rng.randrange(36, 48)
    for t, period in points:
        shape = diurnal(t, offset_h, peak_h=20.0, low=0.18)
        full = t >= onset
        evictions = 0.0
        if t < y_full:
            used = y_level + (1 - y_level) * (t - start).total_seconds() / (y_full - start).total_seconds()
        elif t < y_release:
            used = rng.uniform(0.9965, 0.9995)
            evictions = noisy(rng, 260 * shape + 20, 0.25) * period / 60
        elif t < morning:
            used = (
                0.999
                - (0.999 - m_level) * (t - y_release).total_seconds() / (morning - y_release).total_seconds()
            )
        elif t < change_at:
            used = m_level + (t - morning).total_seconds() / 3600 * 0.008
        elif t < onset:
            used = c_level + (0.9993 - c_level) * cum[t] / total
        else:
            used = rng.uniform(0.9991, 0.99995)
        used = min(0.99995, used + rng.gauss(0, 0.0006))
        pct = used * 100.0
        hist_mem.append((t, pct))
        rps = noisy(rng, rps_peak * shape, 0.05)
        reqs = rps * period
        gets = reqs * rng.uniform(2.6, 3.0)
        sets = reqs * rng.uniform(0.34, 0.4)
        hit_rate = rng.uniform(0.86, 0.9)
        if full:
            sets *= rng.uniform(0.02, 0.04)  # rejected writes are not counted as calls
            hit_rate -= min(0.25, (t - onset).total_seconds() / 3600 * 0.3)
        for n_i, node in enumerate(nodes):
            dims = {"CacheClusterId": node, "CacheNodeId": "0001"}
            node_used = pct if n_i == 0 else max(0.0, pct - rng.uniform(0.01, 0.08))
            ctx.datum("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", dims, t, node_used, "Percent")
            ctx.datum(
                "AWS/ElastiCache", "BytesUsedForCache", dims, t, int(maxmem_bytes * node_used / 100), "Bytes"
            )
            ctx.datum(
                "AWS/ElastiCache",
                "EngineCPUUtilization",
                dims,
                t,
                noisy(rng, (7 + 13 * shape) if n_i == 0 else 3 + 4 * shape, 0.08),
                "Percent",
            )
            ctx.datum(
                "AWS/ElastiCache",
                "CPUUtilization",
                dims,
                t,
                noisy(rng, (3 + 5 * shape) if n_i == 0 else 2 + 2 * shape, 0.08),
                "Percent",
            )
            ctx.datum("AWS/ElastiCache", "Evictions", dims, t, round(evictions) if n_i == 0 else 0, "Count")
            ctx.datum("AWS/ElastiCache", "CurrItems", dims, t, int(used * rng.uniform(9.6e6, 9.7e6)), "Count")
            if n_i == 0:
                ctx.datum(
                    "AWS/ElastiCache", "CurrConnections", dims, t, conns_base + rng.randrange(-2, 3), "Count"
                )
                ctx.datum("AWS/ElastiCache", "GetTypeCmds", dims, t, int(gets), "Count")
                ctx.datum("AWS/ElastiCache", "SetTypeCmds", dims, t, int(sets), "Count")
                ctx.datum("AWS/ElastiCache", "CacheHits", dims, t, int(gets * hit_rate), "Count")
                ctx.datum("AWS/ElastiCache", "CacheMisses", dims, t, int(gets * (1 - hit_rate)), "Count")
            else:
                ctx.datum(
                    "AWS/ElastiCache", "ReplicationLag", dims, t, round(rng.uniform(0.0, 0.02), 3), "Seconds"
                )
                ctx.datum("AWS/ElastiCache", "CurrConnections", dims, t, rng.randrange(6, 10), "Count")
        # ALB
        err_frac = 0.0
        if full:
            err_frac = rng.uniform(0.15, 0.2)
        n5 = poisson(rng, reqs * err_frac) + (poisson(rng, reqs * 0.00004))
        n4 = poisson(rng, reqs * 0.021)
        n2 = max(0, int(reqs) - n5 - n4)
        for dims in (dims_lb, dims_tg):
            ctx.datum("AWS/ApplicationELB", "RequestCount", dims, t, int(reqs), "Count")
            ctx.datum("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, n2, "Count")
            ctx.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, n4, "Count")
            if n5:
                ctx.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, n5, "Count")
        five_xx.append((t, float(n5)))
        trt = noisy(rng, 0.061 + 0.02 * shape, 0.1) + (0.03 if full else 0.0)
        ctx.datum("AWS/ApplicationELB", "TargetResponseTime", dims_tg, t, round(trt, 4), "Seconds")
        in_deploy = deploy_at + timedelta(seconds=120) <= t <= drain_t + timedelta(seconds=300)
        ctx.datum("AWS/ApplicationELB", "HealthyHostCount", dims_tg, t, 6 if in_deploy else 3, "Count")
        ctx.datum("AWS/ApplicationELB", "UnHealthyHostCount", dims_tg, t, 0, "Count")
        # ECS
        ecs_d = {"ClusterName": cluster, "ServiceName": "studio-api"}
        ctx.datum("AWS/ECS", "CPUUtilization", ecs_d, t, noisy(rng, 9 + 24 * shape, 0.07), "Percent")
        ctx.datum("AWS/ECS", "MemoryUtilization", ecs_d, t, noisy(rng, 31 + 4 * shape, 0.02), "Percent")
        if t >= worker_started:
            wk_d = {"ClusterName": cluster, "ServiceName": "transcode-worker"}
            busy = 0.05 if full else 0.35 + 0.4 * shape
            ctx.datum("AWS/ECS", "CPUUtilization", wk_d, t, noisy(rng, 4 + 80 * busy, 0.12), "Percent")
            ctx.datum("AWS/ECS", "MemoryUtilization", wk_d, t, noisy(rng, 22 + 18 * busy, 0.05), "Percent")
        # RDS: more reads once the cache cannot take new entries
        miss_boost = 1.0 + (min(1.0, (t - onset).total_seconds() / 1800) * 0.9 if full else 0.0)
        rds_d = {"DBInstanceIdentifier": db_id}
        ctx.datum(
            "AWS/RDS", "CPUUtilization", rds_d, t, noisy(rng, (8 + 22 * shape) * miss_boost, 0.06), "Percent"
        )
        ctx.datum("AWS/RDS", "DatabaseConnections", rds_d, t, rng.randrange(58, 66), "Count")
        ctx.datum(
            "AWS/RDS", "ReadIOPS", rds_d, t, noisy(rng, (120 + 380 * shape) * miss_boost, 0.1), "Count/Second"
        )

    # --- alarms ----------------------------------------------------------------------------------
    topic = ctx.arn("sns", "castwell-oncall")
    spec_5xx = AlarmSpec(
        "studio-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        dims_tg,
        "Sum",
        60,
        3,
        3,
        25.0,
        "GreaterThanThreshold",
        "notBreaching",
        "studio-api is returning 5xx",
        [topic],
    )
    evaluate_alarm(ctx, spec_5xx, aggregate(five_xx, 60, "Sum"), onset - timedelta(hours=2))
    spec_mem = AlarmSpec(
        "castwell-app-redis-memory-high",
        "AWS/ElastiCache",
        "DatabaseMemoryUsagePercentage",
        {"CacheClusterId": nodes[0], "CacheNodeId": "0001"},
        "Average",
        300,
        3,
        3,
        99.0,
        "GreaterThanOrEqualToThreshold",
        "missing",
        "Redis at maxmemory (informational: cache evicts by design)",
        [ctx.arn("sns", "castwell-platform-info")],
    )
    evaluate_alarm(ctx, spec_mem, aggregate(hist_mem, 300, "Average"), start)
    ok_alarm(
        ctx,
        AlarmSpec(
            "castwell-pg-prod-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": db_id},
            "Average",
            300,
            3,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        41.2,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "studio-api-unhealthy-hosts",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            dims_tg,
            "Maximum",
            60,
            3,
            3,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.0,
    )
    ok_alarm(
        ctx,
        AlarmSpec(
            "studio-api-latency-high",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            dims_tg,
            "Average",
            300,
            3,
            3,
            1.5,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        0.11,
    )

    # --- logs ------------------------------------------------------------------------------------
    shows = [f"shw_{ctx.hex(10)}" for _ in range(40)]
    routes_ok = [
        ("GET", "/v1/shows/{s}/episodes", 200, 34),
        ("GET", "/v1/shows/{s}/analytics?range=28d", 200, 88),
        ("GET", "/v1/me", 200, 9),
        ("PATCH", "/v1/shows/{s}/episodes/ep_{e}", 200, 41),
        ("POST", "/v1/uploads", 201, 22),
        ("PUT", "/v1/uploads/upl_{e}/parts/{p}", 200, 140),
        ("POST", "/v1/auth/login", 200, 180),
        ("GET", "/v1/shows/{s}", 200, 14),
    ]

    def task_for(t: datetime) -> str:
        pool = new_tasks if t >= drain_t else old_tasks
        return pool[rng.randrange(3)]

    def req_line(t: datetime, task: str, method: str, url: str, status: int, rt: float) -> None:
        body = {
            "level": 30 if status < 500 else 50,
            "time": int(t.timestamp() * 1000),
            "pid": 1,
            "hostname": "ip-" + task_ips[task].replace(".", "-") + ".eu-west-2.compute.internal",
            "reqId": "req-" + ctx.hex(6),
            "req": {
                "method": method,
                "url": url,
                "remoteAddress": "::ffff:" + private_ip(ctx, net.public[0][2]),
            },
            "res": {"statusCode": status},
            "responseTime": round(rt, 3),
            "msg": "request completed",
        }
        ctx.log("/ecs/studio-api", f"ecs/studio-api/{task}", t, json.dumps(body, separators=(",", ":")))

    def fmt(url: str) -> str:
        return url.format(s=shows[rng.randrange(len(shows))], e=ctx.hex(8), p=rng.randrange(1, 40))

    t = start + timedelta(seconds=rng.randrange(30, 90))
    while t < now:
        dense = t >= onset - timedelta(minutes=50)
        step = rng.uniform(6, 14) if dense else rng.uniform(180, 420)
        t += timedelta(seconds=step)
        if t >= now:
            break
        task = task_for(t)
        method, path, status, med = routes_ok[rng.randrange(len(routes_ok))]
        url = fmt(path)
        if (t >= onset and path in ("/v1/uploads", "/v1/auth/login")) or (
            t >= onset and "/parts/" in path and rng.random() < 0.9
        ):
            what = {
                "/v1/uploads": (
                    "failed to create upload session",
                    "set",
                    ["upl:" + ctx.hex(16), "<json>", "EX", "86400"],
                ),
                "/v1/auth/login": (
                    "failed to save session",
                    "set",
                    ["sess:" + ctx.hex(24), "<json>", "EX", "1209600"],
                ),
            }.get(
                path,
                (
                    "failed to record part",
                    "hset",
                    ["upl:" + ctx.hex(16) + ":parts", str(rng.randrange(1, 40)), "<etag>"],
                ),
            )
            err = {
                "level": 50,
                "time": int(t.timestamp() * 1000) - 2,
                "pid": 1,
                "hostname": "ip-" + task_ips[task].replace(".", "-") + ".eu-west-2.compute.internal",
                "reqId": "req-" + ctx.hex(6),
                "err": {
                    "type": "ReplyError",
                    "message": "OOM command not allowed when used memory > 'maxmemory'.",
                    "stack": "ReplyError: OOM command not allowed when used memory > 'maxmemory'.\n"
                    "    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n"
                    "    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                    "command": {"name": what[1], "args": what[2]},
                },
                "msg": what[0],
            }
            ctx.log(
                "/ecs/studio-api",
                f"ecs/studio-api/{task}",
                t - timedelta(milliseconds=3),
                json.dumps(err, separators=(",", ":")),
            )
            req_line(t, task, method, url, 500, lognormal_ms(rng, 12))
            continue
        if t >= onset and method == "GET" and rng.random() < 0.35:
            warn = {
                "level": 40,
                "time": int(t.timestamp() * 1000) - 1,
                "pid": 1,
                "hostname": "ip-" + task_ips[task].replace(".", "-") + ".eu-west-2.compute.internal",
                "msg": "cache set failed, serving uncached",
                "key": "c:show:" + shows[rng.randrange(len(shows))],
                "error": "OOM command not allowed when used memory > 'maxmemory'.",
            }
            ctx.log("/ecs/studio-api", f"ecs/studio-api/{task}", t, json.dumps(warn, separators=(",", ":")))
        if rng.random() < 0.02:
            status = rng.choice([401, 404, 413])
        req_line(t, task, method, url, status, lognormal_ms(rng, med))
        if rng.random() < 0.01:
            warn = {
                "level": 40,
                "time": int(t.timestamp() * 1000),
                "pid": 1,
                "hostname": "ip-" + task_ips[task].replace(".", "-") + ".eu-west-2.compute.internal",
                "msg": "rss feed validation warning",
                "showId": shows[rng.randrange(len(shows))],
                "detail": "itunes:image is smaller than 1400x1400",
            }
            ctx.log("/ecs/studio-api", f"ecs/studio-api/{task}", t, json.dumps(warn, separators=(",", ":")))
    for task in new_tasks:
        boot = deploy_at + timedelta(seconds=rng.randrange(55, 75))
        for i, msg in enumerate(
            ["redis connected", "postgres pool ready", f"studio-api {new_img} listening on :8080"]
        ):
            body = {
                "level": 30,
                "time": int(boot.timestamp() * 1000) + i * 40,
                "pid": 1,
                "hostname": "ip-" + task_ips[task].replace(".", "-") + ".eu-west-2.compute.internal",
                "msg": msg,
            }
            ctx.log(
                "/ecs/studio-api",
                f"ecs/studio-api/{task}",
                boot + timedelta(milliseconds=i * 40),
                json.dumps(body, separators=(",", ":")),
            )
    # transcode worker (BullMQ)
    for task in wk_tasks:
        stream = f"ecs/transcode-worker/{task}"
        boot = worker_started + timedelta(seconds=rng.randrange(30, 60))
        ctx.log(
            "/ecs/transcode-worker", stream, boot, "transcode-worker starting, concurrency=2 queue=transcode"
        )
        ctx.log(
            "/ecs/transcode-worker",
            stream,
            boot + timedelta(milliseconds=420),
            'IMPORTANT! Eviction policy is volatile-lru. It should be "noeviction"',
        )
        tt = boot + timedelta(minutes=rng.randrange(2, 8))
        while tt < now:
            job = rng.randrange(180000, 260000)
            if tt < onset:
                dur = rng.uniform(40, 260)
                ctx.log(
                    "/ecs/transcode-worker",
                    stream,
                    tt,
                    f"job {job} started: episode ep_{ctx.hex(8)} -> mp3 128k/64k, loudness -16 LUFS",
                )
                ctx.log(
                    "/ecs/transcode-worker",
                    stream,
                    tt + timedelta(seconds=dur),
                    f"job {job} completed in {dur:.1f}s",
                )
                tt += timedelta(seconds=dur + rng.uniform(60, 900) / (0.3 + diurnal(tt, offset_h, 20.0)))
            else:
                ctx.log(
                    "/ecs/transcode-worker",
                    stream,
                    tt,
                    "Error: OOM command not allowed when used memory > 'maxmemory'. script: moveToFinished, on @user_script:137.\n"
                    "    at parseError (/app/node_modules/redis-parser/lib/parser.js:179:12)\n"
                    "    at parseType (/app/node_modules/redis-parser/lib/parser.js:302:14)",
                )
                tt += timedelta(seconds=rng.uniform(120, 400))

    # --- CloudTrail ------------------------------------------------------------------------------
    platform = sso_user(
        ctx,
        "tomasz.kowalczyk@castwell.fm",
        "PlatformEngineer",
        "81.2.69." + str(rng.randrange(2, 250)),
        CONSOLE_UA,
    )
    dev = sso_user(
        ctx, "amara.okafor@castwell.fm", "Developer", "86.12.41." + str(rng.randrange(2, 250)), CONSOLE_UA2
    )
    sre = sso_user(
        ctx, "ellie.brandt@castwell.fm", "PlatformEngineer", "90.214.7." + str(rng.randrange(2, 250)), CLI_UA
    )
    ec_svc = role_session(
        ctx,
        "AWSServiceRoleForElastiCache",
        "ElastiCache",
        "elasticache.amazonaws.com",
        "elasticache.amazonaws.com",
    )
    gha = role_session(
        ctx,
        "castwell-gha-deploy",
        "GitHubActions",
        "20.102.35." + str(rng.randrange(2, 250)),
        GHA_UA,
        web_identity=True,
    )
    tf = role_session(
        ctx, "castwell-terraform-plan", "atlantis", "3.10.145." + str(rng.randrange(2, 250)), TF_UA
    )
    dd = role_session(
        ctx,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        "3.233.146." + str(rng.randrange(2, 250)),
        DD_UA,
    )
    reads: list[tuple[Principal, list[tuple[str, str, Json]]]] = [
        (
            dd,
            [
                ("elasticache.amazonaws.com", "DescribeCacheClusters", {"showCacheNodeInfo": True}),
                ("ecs.amazonaws.com", "ListClusters", {}),
                ("rds.amazonaws.com", "DescribeDBInstances", {}),
                ("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", {}),
                ("tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            ],
        ),
        (
            tf,
            [
                (
                    "ec2.amazonaws.com",
                    "DescribeSecurityGroups",
                    {"groupIdSet": {"items": [{"groupId": redis_sg}]}},
                ),
                ("elasticache.amazonaws.com", "DescribeReplicationGroups", {"replicationGroupId": rg_id}),
                ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["studio-api"]}),
                ("iam.amazonaws.com", "GetRole", {"roleName": "studio-api-task"}),
            ],
        ),
        (
            dev,
            [
                ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["studio-api"]}),
                ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/ecs/"}),
                ("s3.amazonaws.com", "ListBuckets", {"Host": "s3.eu-west-2.amazonaws.com"}),
            ],
        ),
    ]
    background_reads(ctx, reads, rng.randrange(44, 60), start, now)
    # yesterday: the new worker service is rolled out
    trail(
        ctx,
        worker_started - timedelta(minutes=3),
        gha,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "transcode-worker",
            "cpu": "2048",
            "memory": "4096",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": "transcode-worker",
                    "image": td_wk["containerDefinitions"][0]["image"],
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_wk["taskDefinitionArn"],
                "family": "transcode-worker",
                "revision": wk_rev,
                "status": "ACTIVE",
            }
        },
    )
    trail(
        ctx,
        worker_started - timedelta(seconds=50),
        gha,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "transcode-worker",
            "taskDefinition": td_wk["taskDefinitionArn"],
            "desiredCount": 2,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": wk_arn,
                "serviceName": "transcode-worker",
                "desiredCount": 2,
                "taskDefinition": td_wk["taskDefinitionArn"],
            }
        },
    )
    # this morning: the parameter group edit
    trail(
        ctx,
        change_at - timedelta(minutes=4),
        platform,
        "elasticache.amazonaws.com",
        "DescribeCacheParameters",
        {"cacheParameterGroupName": pg_name, "source": "user"},
        None,
        read_only=True,
    )
    culprit = trail(
        ctx,
        change_at,
        platform,
        "elasticache.amazonaws.com",
        "ModifyCacheParameterGroup",
        {
            "cacheParameterGroupName": pg_name,
            "parameterNameValues": [{"parameterName": "maxmemory-policy", "parameterValue": "noeviction"}],
        },
        {"cacheParameterGroupName": pg_name},
    )
    trail(
        ctx,
        change_at + timedelta(seconds=40),
        platform,
        "elasticache.amazonaws.com",
        "DescribeCacheParameterGroups",
        {"cacheParameterGroupName": pg_name},
        None,
        read_only=True,
    )
    trail(
        ctx,
        change_at + timedelta(minutes=2),
        platform,
        "elasticache.amazonaws.com",
        "DescribeReplicationGroups",
        {"replicationGroupId": rg_id},
        None,
        read_only=True,
    )
    # other routine writes through the day
    mid = change_at + timedelta(hours=rng.uniform(1.0, 2.5))
    trail(
        ctx,
        mid,
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/castwell/prod/studio/feature/waveform-preview", "type": "String", "overwrite": True},
        {"version": rng.randrange(3, 12), "tier": "Standard"},
    )
    trail(
        ctx,
        start + timedelta(hours=rng.uniform(4, 6)),
        sre,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/ecs/transcode-worker", "retentionInDays": 30},
        None,
    )
    trail(
        ctx,
        start + timedelta(hours=rng.uniform(14, 15)),
        ec_svc,
        "ec2.amazonaws.com",
        "DescribeNetworkInterfaces",
        {
            "filterSet": {
                "items": [
                    {"name": "description", "valueSet": {"items": [{"value": "ElastiCache " + nodes[0]}]}}
                ]
            }
        },
        None,
        read_only=True,
    )
    # the afternoon deploy of studio-api (innocent)
    trail(
        ctx,
        deploy_at - timedelta(seconds=25),
        gha,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "studio-api",
            "cpu": "1024",
            "memory": "2048",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {"name": "studio-api", "image": td_new["containerDefinitions"][0]["image"], "essential": True}
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_new["taskDefinitionArn"],
                "family": "studio-api",
                "revision": new_rev,
                "status": "ACTIVE",
            }
        },
    )
    trail(
        ctx,
        deploy_at,
        gha,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "studio-api",
            "taskDefinition": td_new["taskDefinitionArn"],
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": "studio-api",
                "desiredCount": 3,
                "taskDefinition": td_new["taskDefinitionArn"],
            }
        },
    )
    trail(
        ctx,
        deploy_at + timedelta(minutes=7),
        gha,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": ["studio-api"]},
        None,
        read_only=True,
    )
    trail(
        ctx,
        onset - timedelta(minutes=rng.randrange(6, 12), seconds=rng.randrange(60)),
        sre,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        {
            "bucketName": "castwell-prod-alb-logs",
            "Host": "castwell-prod-alb-logs.s3.eu-west-2.amazonaws.com",
            "lifecycle": "",
        },
        None,
    )
    trail(
        ctx,
        onset + timedelta(minutes=rng.randrange(4, 9)),
        dev,
        "ecs.amazonaws.com",
        "DescribeTaskDefinition",
        {"taskDefinition": f"studio-api:{new_rev}"},
        None,
        read_only=True,
    )

    question = (
        f"Creators are telling support that episode uploads fail at 'Preparing upload…' and some can't sign in, "
        f"since about {onset_local.strftime('%-I:%M%p').lower()}. The dashboard and episode lists load fine for people "
        f"already signed in. studio-api was deployed shortly before. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": pg_name,
                    "category": "change",
                    "failure_mode": "redis-noeviction-memory-full-writes-rejected",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [ctx.arn("elasticache", f"parametergroup:{pg_name}"), rg_id, nodes[0]],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"Cache parameter group {pg_name} had maxmemory-policy changed from volatile-lru to noeviction in the morning.",
                    f"Replication group {rg_id} stopped evicting and filled to maxmemory by mid-afternoon.",
                    "Redis rejects every write with OOM (sessions, upload state, cache fills, BullMQ job moves) while reads still work.",
                    "studio-api returns 500 on sign-in, upload-session creation and part uploads; the studio-api-target-5xx alarm fires.",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.bundle_records())
