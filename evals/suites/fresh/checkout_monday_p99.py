"""Monday-morning checkout p99 alarm: the weekly newsletter peak, same as every Monday (no fault)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_n import (
    CONSOLE_AGENT,
    GRAFANA,
    TERRAFORM,
    Json,
    Kit,
    floor_minute,
    grid,
    iam_role,
    iso,
    log_group,
    pick_day,
    role_identity,
    sso_identity,
)

NAME = "checkout-monday-p99"
TITLE = "Checkout p99 latency alarm on Monday morning"
SUMMARY = (
    "No fault: the checkout p99 alarm fires at the Monday-morning weekly peak (newsletter send), exactly as it "
    "did last Monday; errors stay normal, autoscaling catches up, and the morning's deploy is unrelated."
)

ZONES = ["Europe/London", "Europe/Amsterdam", "America/New_York", "Australia/Sydney"]
PEOPLE = ["chloe.martin", "dev.patel", "anna.kowalska", "liam.murphy", "zoe.fischer"]


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, regions=("eu-west-1", "eu-west-2", "us-east-1", "ap-southeast-2"))
    rng = kit.rng
    tz_name = rng.choice(ZONES)
    tz = ZoneInfo(tz_name)
    monday = pick_day(kit, weekday=0)
    local_midnight = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
    send_local = local_midnight + timedelta(hours=9, minutes=rng.randint(0, 4))  # the newsletter goes out
    send = send_local.astimezone(UTC)
    last_send = (send_local - timedelta(days=7)).astimezone(UTC) + timedelta(minutes=rng.randint(-2, 2))
    start = floor_minute((local_midnight - timedelta(days=8)).astimezone(UTC))
    start = start.replace(minute=start.minute - start.minute % 5)
    near = floor_minute((local_midnight + timedelta(hours=5)).astimezone(UTC))
    near = near.replace(minute=near.minute - near.minute % 5)
    end_sim = send + timedelta(minutes=60)
    domain = rng.choice(["threadline.com", "kitchenco.co.uk", "outdoorsy.shop"])
    dev, oncall, ops = (f"{p}@{domain}" for p in rng.sample(PEOPLE, 3))
    created = monday - timedelta(days=rng.randint(200, 600))

    cluster, service = "shop-prod", "checkout"
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    service_arn = kit.arn("ecs", f"service/{cluster}/{service}")
    lb_hex, tg_hex = kit.hexs(16), kit.hexs(16)
    lb_name, tg_name = "shop-prod-alb", "checkout-tg"
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{lb_hex}")
    tg_arn = kit.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{tg_hex}")
    lbd = {"LoadBalancer": f"app/{lb_name}/{lb_hex}"}
    tgd = {"TargetGroup": f"targetgroup/{tg_name}/{tg_hex}", "LoadBalancer": lbd["LoadBalancer"]}
    db_id = "shop-orders-pg"
    rev = rng.randint(120, 300)
    deploy_local = local_midnight + timedelta(
        hours=8, minutes=rng.randint(38, 50), seconds=rng.randint(0, 59)
    )
    deploy_at = deploy_local.astimezone(UTC)
    base = rng.uniform(900, 1500)  # requests a minute at an ordinary weekday peak

    # --- the load model ----------------------------------------------------------------------------------
    def load(t: datetime) -> float:
        local = t.astimezone(tz)
        h = local.hour + local.minute / 60
        daily = (
            0.12 + 0.88 * math.exp(-(((h - 13.0) / 5.2) ** 2)) + 0.35 * math.exp(-(((h - 20.5) / 1.8) ** 2))
        )
        if local.weekday() >= 5:
            daily *= 0.8
        bump = 0.0
        for s in (send, last_send):
            dt = (t - s).total_seconds() / 60
            if 0 <= dt <= 150:
                bump += 1.25 * (1 - math.exp(-dt / 3)) * math.exp(-dt / 38)
        return daily + bump

    def tasks_at(t: datetime) -> int:
        for s in (send, last_send):
            dt = (t - s).total_seconds() / 60
            if 6 <= dt < 74:
                return 12 if dt >= 14 else 10
        return 8

    def p99(t: datetime, ld: float) -> float:
        per_task = ld / tasks_at(t) * 8
        return 0.35 + 0.25 * per_task + 3.5 * max(0.0, per_task - 1.0) ** 1.3

    times = grid(start, near, end_sim)
    alb, ecs_ns = "AWS/ApplicationELB", "AWS/ECS"
    svc = {"ClusterName": cluster, "ServiceName": service}
    rds = {"DBInstanceIdentifier": db_id}
    for t, step in times:
        n = 0
        v: list[float] = []
        c: list[float] = []
        lds: list[float] = []
        cpus: list[float] = []
        for k in range(step // 60):
            tk = t + timedelta(minutes=k)
            ldk = load(tk) * kit.jitter(1.0, 0.03)
            nk = kit.poisson(base * ldk)
            vk, ck = kit.latency(0.085 + 0.02 * ldk, p99(tk, ldk) * kit.jitter(1.0, 0.05), nk, digits=4)
            v += vk
            c += ck
            n += nk
            lds.append(ldk)
            cpus.append(min(97.0, 18 + 38 * ldk * 8 / tasks_at(tk)) * kit.jitter(1.0, 0.04))
        ld = sum(lds) / len(lds)
        errs = kit.poisson(n * 0.0006)
        kit.put_dist(alb, "TargetResponseTime", lbd, t, "Seconds", v, c)
        kit.put(alb, "RequestCount", lbd, t, "Count", n)
        kit.put(alb, "HTTPCode_Target_5XX_Count", lbd, t, "Count", errs or None)
        e502 = kit.poisson(0.003 * step / 60)
        kit.put(alb, "HTTPCode_ELB_5XX_Count", lbd, t, "Count", e502 or None)
        cpu = sum(cpus) / len(cpus)
        kit.put(ecs_ns, "CPUUtilization", svc, t, "Percent", round(cpu, 2))
        kit.put("AWS/RDS", "CPUUtilization", rds, t, "Percent", round(kit.jitter(8 + 21 * ld, 0.05), 2))
        if step == 60:
            kit.put(alb, "RequestCount", tgd, t, "Count", n)
            kit.put(alb, "HTTPCode_Target_2XX_Count", tgd, t, "Count", n - errs - kit.poisson(n * 0.01))
            kit.put(alb, "HTTPCode_Target_5XX_Count", tgd, t, "Count", errs or None)
            kit.put_dist(alb, "TargetResponseTime", tgd, t, "Seconds", v, c)
            kit.put(alb, "HealthyHostCount", tgd, t, "Count", tasks_at(t - timedelta(minutes=1)))
            kit.put(alb, "UnHealthyHostCount", tgd, t, "Count", 0)
            kit.put(ecs_ns, "MemoryUtilization", svc, t, "Percent", round(kit.jitter(41, 0.03), 2))
            kit.put("AWS/RDS", "DatabaseConnections", rds, t, "Count", 10 * tasks_at(t) + rng.randint(3, 6))
            kit.put(
                "AWS/RDS", "ReadLatency", rds, t, "Seconds", round(kit.jitter(0.0006 + 0.0002 * ld, 0.08), 6)
            )
            kit.put(
                "AWS/RDS", "WriteLatency", rds, t, "Seconds", round(kit.jitter(0.0011 + 0.0003 * ld, 0.08), 6)
            )
            kit.put("ECS/ContainerInsights", "RunningTaskCount", svc, t, "Count", tasks_at(t))

    # --- alarms ---------------------------------------------------------------------------------------
    topic = kit.arn("sns", "shop-oncall")
    ask_min = rng.randint(22, 32)
    now = floor_minute(send + timedelta(minutes=ask_min)) + timedelta(seconds=rng.randint(0, 59))
    common: Json = {
        "start": start,
        "now": now,
        "actions": [topic],
        "configured": created + timedelta(days=30),
    }
    changes = kit.alarm(
        "checkout-p99-latency",
        description="checkout p99 TargetResponseTime above 1.2 s (2 of 3 five-minute periods)",
        ns=alb,
        metric="TargetResponseTime",
        dims=lbd,
        stat="p99",
        period=300,
        evaluation_periods=3,
        datapoints=2,
        threshold=1.2,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        **common,
    )
    kit.alarm(
        "checkout-5xx-rate",
        description="checkout target 5xx above 30 in 5 minutes",
        ns=alb,
        metric="HTTPCode_Target_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=30.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        **common,
    )
    kit.alarm(
        "shop-orders-pg-cpu",
        description="shop-orders-pg CPU above 80%",
        ns="AWS/RDS",
        metric="CPUUtilization",
        dims=rds,
        stat="Average",
        period=300,
        evaluation_periods=3,
        datapoints=3,
        threshold=80.0,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        **common,
    )
    kit.alarm(
        "checkout-elb-5xx",
        description="ELB-generated 5xx on shop-prod-alb",
        ns=alb,
        metric="HTTPCode_ELB_5XX_Count",
        dims=lbd,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints=1,
        threshold=10.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        **common,
    )
    fired = [c for c in changes if c[2] == "ALARM"]
    assert len(fired) >= 2, "the alarm must fire last Monday and today"

    # --- scaling activities (target tracking on CPU) -----------------------------------------------------
    policy = "checkout-cpu-target-55"
    policy_arn = kit.arn(
        "autoscaling",
        f"scalingPolicy:{kit.uuid()}:resource/ecs/service/{cluster}/{service}:policyName/{policy}",
    )
    activities: list[tuple[datetime, int, int, str]] = []
    for s in (last_send, send):
        activities.append(
            (
                s + timedelta(minutes=3, seconds=rng.randint(5, 50)),
                8,
                10,
                f"TargetTracking-service/{cluster}/{service}-AlarmHigh-{kit.uuid()}",
            )
        )
        activities.append(
            (
                s + timedelta(minutes=6, seconds=rng.randint(5, 50)),
                10,
                12,
                f"TargetTracking-service/{cluster}/{service}-AlarmHigh-{kit.uuid()}",
            )
        )
        if s == last_send:
            activities.append(
                (
                    s + timedelta(minutes=70, seconds=rng.randint(5, 50)),
                    12,
                    8,
                    f"TargetTracking-service/{cluster}/{service}-AlarmLow-{kit.uuid()}",
                )
            )
    for at, old, new, alarm in activities:
        verb = "increase" if new > old else "decrease"
        kit.event(
            "application_autoscaling",
            {
                "ActivityId": kit.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/{service}",
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": f"Setting desired count to {new}.",
                "Cause": f"monitor alarm {alarm} in state ALARM triggered policy {policy}",
                "StartTime": iso(at),
                "EndTime": iso(at + timedelta(seconds=rng.randint(40, 90))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set desired count to {new}. Change successfully fulfilled by ecs.",
            },
        )
        del verb
    kit.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/{service}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 8,
            "MaxCapacity": 24,
            "RoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(created + timedelta(days=3)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": kit.arn("application-autoscaling", f"scalable-target/{kit.hexs(32)}"),
        },
    )
    kit.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": policy_arn,
            "PolicyName": policy,
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/{service}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 55.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
                "DisableScaleIn": False,
            },
            "Alarms": [],
            "CreationTime": iso(created + timedelta(days=3)),
        },
    )

    # --- resources -----------------------------------------------------------------------------------
    td_prev = kit.arn("ecs", f"task-definition/{service}:{rev}")
    td_new = kit.arn("ecs", f"task-definition/{service}:{rev + 1}")
    dep_id = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    running_now = tasks_at(now)
    kit.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": running_now + 14,
            "pendingTasksCount": 0,
            "activeServicesCount": 5,
            "statistics": [],
            "tags": [],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )
    svc_events = [
        (
            deploy_at + timedelta(seconds=40),
            f"(service {service}) has started 4 tasks: "
            + " ".join(f"(task {kit.hexs(32)})" for _ in range(4))
            + ".",
        ),
        (
            deploy_at + timedelta(minutes=3),
            f"(service {service}) has started 4 tasks: "
            + " ".join(f"(task {kit.hexs(32)})" for _ in range(4))
            + ".",
        ),
        (
            deploy_at + timedelta(minutes=11),
            f"(service {service}) has stopped 8 running tasks: "
            + " ".join(f"(task {kit.hexs(32)})" for _ in range(8))
            + ".",
        ),
        (deploy_at + timedelta(minutes=12), f"(service {service}) deployment {dep_id} deployment completed."),
        (deploy_at + timedelta(minutes=12, seconds=1), f"(service {service}) has reached a steady state."),
    ]
    for at, _o, new, _a in activities:
        if at > start:
            svc_events.append(
                (
                    at + timedelta(seconds=20),
                    f"(service {service}) has started {new - _o} tasks: "
                    + " ".join(f"(task {kit.hexs(32)})" for _ in range(new - _o))
                    + ".",
                )
            )
            svc_events.append(
                (
                    at + timedelta(seconds=75),
                    f"(service {service}) registered {new - _o} targets in (target-group {tg_arn})",
                )
            )
    svc_events = sorted(e for e in svc_events if e[0] <= now)
    for at, m in svc_events:
        kit.event(
            "ecs",
            {"service_arn": service_arn, "event": {"id": kit.uuid(), "createdAt": iso(at), "message": m}},
        )
    kit.resource(
        "ecs",
        "Service",
        {
            "serviceArn": service_arn,
            "serviceName": service,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": service, "containerPort": 8080}],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": running_now,
            "runningCount": running_now,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": td_new,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": td_new,
                    "desiredCount": running_now,
                    "pendingCount": 0,
                    "runningCount": running_now,
                    "failedTasks": 0,
                    "createdAt": iso(deploy_at),
                    "updatedAt": iso(svc_events[-1][0]),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": f"ECS deployment {dep_id} completed.",
                }
            ],
            "events": [
                {"id": kit.uuid(), "createdAt": iso(at), "message": m} for at, m in reversed(svc_events)
            ],
            "createdAt": iso(created),
            "placementConstraints": [],
            "placementStrategy": [],
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    vpc = kit.ec2_id("vpc")
    azs = [f"{kit.region}{c}" for c in "abc"]
    kit.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"{lb_name}-{rng.randint(100000000, 999999999)}.{kit.region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
            "CreatedTime": iso(created),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [{"ZoneName": az, "SubnetId": kit.ec2_id("subnet")} for az in azs],
            "SecurityGroups": [kit.ec2_id("sg")],
            "IpAddressType": "ipv4",
        },
    )
    kit.resource(
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
            "HealthCheckPath": "/health",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    kit.resource(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db_id,
            "DBInstanceClass": "db.r6g.2xlarge",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "postgres",
            "DBName": "orders",
            "Endpoint": {"Address": f"{db_id}.c{kit.hexs(11)}.{kit.region}.rds.amazonaws.com", "Port": 5432},
            "AllocatedStorage": 800,
            "InstanceCreateTime": iso(created),
            "BackupRetentionPeriod": 14,
            "DBSecurityGroups": [],
            "VpcSecurityGroups": [{"VpcSecurityGroupId": kit.ec2_id("sg"), "Status": "active"}],
            "DBParameterGroups": [{"DBParameterGroupName": "shop-pg16", "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": azs[1],
            "PreferredMaintenanceWindow": "sun:02:00-sun:02:30",
            "PendingModifiedValues": {},
            "MultiAZ": True,
            "EngineVersion": "16.3",
            "AutoMinorVersionUpgrade": True,
            "ReadReplicaDBInstanceIdentifiers": [],
            "LicenseModel": "postgresql-license",
            "PubliclyAccessible": False,
            "StorageType": "gp3",
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + kit.upper(26),
            "DBInstanceArn": kit.arn("rds", f"db:{db_id}"),
            "PerformanceInsightsEnabled": True,
            "DeletionProtection": True,
            "TagList": [{"Key": "env", "Value": "prod"}],
        },
    )
    task_role = iam_role(kit, f"{service}-task", "ecs-tasks.amazonaws.com", created, now)
    kit.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {
                "TopicArn": topic,
                "Owner": kit.account,
                "DisplayName": "shop on-call",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    app_group = f"/ecs/{service}"
    log_group(kit, app_group, created, 30, rng.randint(20_000_000_000, 60_000_000_000))
    log_group(
        kit,
        "/aws/rds/instance/shop-orders-pg/postgresql",
        created,
        7,
        rng.randint(2_000_000_000, 8_000_000_000),
    )

    # --- application logs (today's morning) ------------------------------------------------------------
    streams_old = [f"ecs/{service}/{kit.hexs(32)}" for _ in range(8)]
    streams_new = [f"ecs/{service}/{kit.hexs(32)}" for _ in range(12)]
    t = near
    while t <= now:
        active = streams_new[: tasks_at(t)] if t >= deploy_at + timedelta(minutes=5) else streams_old
        ld = load(t)
        for _ in range(kit.poisson(3 * ld)):
            at = t + timedelta(seconds=rng.uniform(0, 59))
            tail = p99(at, ld)
            d = int(min(kit.jitter(95, 0.6) * (1 + (rng.random() < 0.05) * tail * 8), tail * 1400))
            path = rng.choice(
                [
                    "/api/checkout/session",
                    "/api/checkout/session",
                    "/api/checkout/payment",
                    "/api/checkout/shipping-options",
                    "/api/cart",
                ]
            )
            status = 200 if rng.random() > 0.004 else rng.choice([500, 502])
            kit.log(
                app_group,
                rng.choice(active),
                at,
                json.dumps(
                    {
                        "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
                        "level": "INFO" if status == 200 else "ERROR",
                        "logger": "http",
                        "method": "POST" if "payment" in path else "GET",
                        "path": path,
                        "status": status,
                        "duration_ms": max(4, d),
                        "trace_id": kit.hexs(32),
                    },
                    separators=(",", ":"),
                ),
            )
        if ld > 1.3 and rng.random() < 0.3:
            at = t + timedelta(seconds=rng.uniform(0, 59))
            kit.log(
                app_group,
                rng.choice(active),
                at,
                json.dumps(
                    {
                        "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
                        "level": "WARN",
                        "logger": "db.pool",
                        "msg": "connection pool busy",
                        "active": 10,
                        "idle": 0,
                        "waiting": rng.randint(2, 14),
                    },
                    separators=(",", ":"),
                ),
            )
        if rng.random() < 0.02:
            at = t + timedelta(seconds=rng.uniform(0, 59))
            kit.log(
                app_group,
                rng.choice(active),
                at,
                json.dumps(
                    {
                        "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z",
                        "level": "WARN",
                        "logger": "payments.client",
                        "msg": "payment provider responded slowly",
                        "provider": "adyen",
                        "duration_ms": rng.randint(2100, 4800),
                    },
                    separators=(",", ":"),
                ),
            )
        t += timedelta(minutes=1)
    for stream_name in streams_new[:8]:
        at = deploy_at + timedelta(seconds=rng.randint(60, 260))
        kit.log(
            app_group,
            stream_name,
            at,
            json.dumps(
                {
                    "@timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.") + "000Z",
                    "level": "INFO",
                    "logger": "main",
                    "msg": f"checkout {rev + 1} started on :8080",
                    "version": f"2024.{rng.randint(10, 52)}.{rng.randint(1, 9)}",
                },
                separators=(",", ":"),
            ),
        )

    # --- CloudTrail -----------------------------------------------------------------------------------
    gha = role_identity(
        kit,
        "github-actions-shop",
        "GitHubActions",
        deploy_at - timedelta(minutes=4),
        oidc="token.actions.githubusercontent.com",
    )
    gip = f"4.{rng.randint(150, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    agent = TERRAFORM.format(api="ecs#1.41.7")
    # last week's deploys (a routine cadence) and today's
    deploy_days = sorted({rng.randint(1, 7) for _ in range(4)})
    for i, back in enumerate([*deploy_days, 0]):
        at = deploy_at - timedelta(days=back, minutes=rng.randint(-90, 300) if back else 0)
        r = rev + 1 - (len(deploy_days) - i if back else 0)
        ident = (
            role_identity(
                kit,
                "github-actions-shop",
                "GitHubActions",
                at - timedelta(minutes=4),
                oidc="token.actions.githubusercontent.com",
            )
            if back
            else gha
        )
        kit.trail(
            at - timedelta(seconds=25),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            ident,
            {
                "family": service,
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "containerDefinitions": [
                    {
                        "name": service,
                        "image": f"{kit.account}.dkr.ecr.{kit.region}.amazonaws.com/{service}:{kit.hexs(7)}",
                        "essential": True,
                        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    }
                ],
            },
            {
                "taskDefinition": {
                    "taskDefinitionArn": kit.arn("ecs", f"task-definition/{service}:{r}"),
                    "family": service,
                    "revision": r,
                    "status": "ACTIVE",
                    "cpu": "1024",
                    "memory": "2048",
                }
            },
            read_only=False,
            ip=gip,
            agent=agent,
        )
        kit.trail(
            at,
            "ecs.amazonaws.com",
            "UpdateService",
            ident,
            {
                "cluster": cluster,
                "service": service,
                "taskDefinition": kit.arn("ecs", f"task-definition/{service}:{r}"),
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceArn": service_arn,
                    "serviceName": service,
                    "status": "ACTIVE",
                    "taskDefinition": kit.arn("ecs", f"task-definition/{service}:{r}"),
                }
            },
            read_only=False,
            ip=gip,
            agent=agent,
        )
    del td_prev
    # Application Auto Scaling adjusting the service
    aas = {"type": "AWSService", "invokedBy": "ecs.application-autoscaling.amazonaws.com"}
    for at, _o, new, _a in activities:
        if start <= at <= now:
            kit.trail(
                at + timedelta(seconds=2),
                "ecs.amazonaws.com",
                "UpdateService",
                {
                    **role_identity(
                        kit,
                        "AWSServiceRoleForApplicationAutoScaling_ECSService",
                        "AutoScaling-ECS",
                        at - timedelta(hours=1),
                    ),
                    "invokedBy": "ecs.application-autoscaling.amazonaws.com",
                },
                {"cluster": cluster, "service": service, "desiredCount": new},
                {
                    "service": {
                        "serviceArn": service_arn,
                        "serviceName": service,
                        "desiredCount": new,
                        "status": "ACTIVE",
                    }
                },
                read_only=False,
                ip="ecs.application-autoscaling.amazonaws.com",
                agent="ecs.application-autoscaling.amazonaws.com",
                tls=False,
            )
    del aas
    # a human adjusts an unrelated bucket's lifecycle and a dashboard shortly after
    human = sso_identity(
        kit, f"AWSReservedSSO_PlatformEngineer_{kit.hexs(16)}", ops, send - timedelta(minutes=40), kit.region
    )
    hip = kit.public_ip()
    kit.trail(
        send - timedelta(minutes=rng.randint(8, 20), seconds=rng.randint(0, 59)),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        human,
        {
            "bucketName": f"{domain.split('.')[0]}-alb-access-logs",
            "Host": f"{domain.split('.')[0]}-alb-access-logs.s3.{kit.region}.amazonaws.com",
            "lifecycle": "",
        },
        None,
        read_only=False,
        ip=hip,
        agent=CONSOLE_AGENT,
        console=True,
        extra={
            "resources": [
                {"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{domain.split('.')[0]}-alb-access-logs"}
            ]
        },
    )
    kit.trail(
        send + timedelta(minutes=rng.randint(5, 15), seconds=rng.randint(0, 59)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        human,
        {"dashboardName": "shop-platform-costs", "dashboardBody": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"dashboardValidationMessages": []},
        read_only=False,
        ip=hip,
        agent=CONSOLE_AGENT,
        console=True,
    )
    # routine reads: grafana, developers, the task role
    graf = role_identity(kit, "grafana-cloudwatch-read", "grafana", start)
    t = start + timedelta(hours=rng.randint(2, 10))
    while t < now:
        kit.trail(
            t,
            "monitoring.amazonaws.com",
            "GetMetricData",
            graf,
            {"startTime": iso(t - timedelta(hours=6)), "endTime": iso(t)},
            None,
            read_only=True,
            ip="34.240.61.17",
            agent=GRAFANA,
        )
        t += timedelta(seconds=rng.randint(14000, 26000))
    t = start + timedelta(hours=rng.randint(1, 8))
    while t < now:
        kit.service_assume_role(t, "ecs-tasks.amazonaws.com", task_role["Arn"], kit.hexs(32))
        t += timedelta(seconds=rng.randint(20000, 40000))
    dv = sso_identity(
        kit, f"AWSReservedSSO_Developer_{kit.hexs(16)}", dev, deploy_at - timedelta(minutes=30), kit.region
    )
    dip = kit.public_ip()
    dev_reads: list[tuple[str, Json]] = [
        ("DescribeServices", {"cluster": cluster, "services": [service]}),
        ("ListTasks", {"cluster": cluster, "serviceName": service}),
    ]
    for i, (name, params) in enumerate(dev_reads):
        kit.trail(
            deploy_at + timedelta(minutes=6, seconds=20 * i),
            "ecs.amazonaws.com",
            name,
            dv,
            params,
            None,
            read_only=True,
            ip=dip,
            agent=CONSOLE_AGENT,
            console=True,
        )
    oc = sso_identity(
        kit,
        f"AWSReservedSSO_Developer_{kit.hexs(16)}",
        oncall,
        fired[-1][0] + timedelta(minutes=2),
        kit.region,
    )
    kit.trail(
        fired[-1][0] + timedelta(minutes=rng.randint(3, 6)),
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        oc,
        {"alarmName": "checkout-p99-latency", "historyItemType": "StateUpdate"},
        None,
        read_only=True,
        ip=kit.public_ip(),
        agent=CONSOLE_AGENT,
        console=True,
    )

    fire_local = fired[-1][0].astimezone(tz)
    clock = f"{fire_local.hour % 12 or 12}:{(fire_local.minute // 5) * 5:02d}"
    question = rng.choice(
        [
            f"checkout p99 alarm went off at about {clock}, is something broken?",
            f"Got paged for checkout-p99-latency around {clock} this morning. Is checkout actually broken or is this noise?",
        ]
    )
    return kit.bundle(
        title=TITLE,
        start=start,
        now=now,
        trigger={"question": question, "alarm_event": None, "timezone": tz_name},
        truth={"no_fault": True},
    )
