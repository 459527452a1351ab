"""passes-auth: token endpoint answering 5xx in the evening peak; app users being signed out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_w as k

NAME = "passes-auth-token-errors"
TITLE = "passes-auth 5xx alarm in the evening commute"
SUMMARY = "Token endpoint of the transit-pass app fails for a share of refreshes from the evening peak on."

NS_ALB = "AWS/ApplicationELB"
REGION = "eu-central-1"


def build(seed: int) -> Bundle:
    ctx = k.Ctx(
        NAME,
        seed,
        "000000000000",
        REGION,
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 2, tzinfo=UTC),
    )
    r = ctx.rng
    ctx.account = str(r.randint(2 * 10**11, 9 * 10**11 - 1))
    account = ctx.account
    day = k.pick_day(ctx, datetime(2024, 10, 1, tzinfo=UTC), 24, (0, 1, 2, 3))
    push = day + timedelta(hours=16, minutes=r.choice([0, 0, 5, 15]), seconds=r.randint(2, 40))  # 18:xx CEST
    start = push - timedelta(hours=5, minutes=r.randint(0, 40))
    now = push + timedelta(minutes=r.randint(48, 70))
    ctx.start, ctx.now, ctx.end = start, now, now
    created = start - timedelta(days=r.randint(300, 700))

    net = k.network(ctx, "rheinpass-prod", r.choice([8, 12, 60]), created)
    alb_sg = k.security_group(
        ctx,
        "rheinpass-public-alb",
        "public ALB for the app backends",
        net.vpc,
        [k.tcp_from_cidr(443, "0.0.0.0/0")],
    )
    task_sg = k.security_group(
        ctx,
        "rheinpass-tasks",
        "ECS tasks behind the public ALB",
        net.vpc,
        [k.tcp_from_sg(8080, alb_sg, account, "ALB")],
    )
    lb = k.alb(
        ctx,
        "rheinpass-app-prod",
        "passes-auth-8080",
        net,
        alb_sg,
        created,
        8080,
        "/actuator/health",
        target_type="ip",
        cert_arn=ctx.arn("acm", f"certificate/{ctx.uuid()}"),
    )
    api_tg_hex = ctx.hex(16)
    api_tg_arn = ctx.arn("elasticloadbalancing", f"targetgroup/passes-api-8080/{api_tg_hex}")
    api_tg_dim = f"targetgroup/passes-api-8080/{api_tg_hex}"
    ctx.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": api_tg_arn,
            "TargetGroupName": "passes-api-8080",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": net.vpc,
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 3,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/actuator/health",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb.arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )

    # KMS signing key
    key_id = ctx.uuid()
    key_arn = ctx.arn("kms", f"key/{key_id}")
    alias = "alias/passes-token-signing"
    ctx.resource(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": account,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": k.iso(created + timedelta(days=20)),
            "Enabled": True,
            "Description": "RS256 signing key for passes-auth access tokens",
            "KeyUsage": "SIGN_VERIFY",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "RSA_2048",
            "KeySpec": "RSA_2048",
            "SigningAlgorithms": [
                "RSASSA_PSS_SHA_256",
                "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512",
                "RSASSA_PKCS1_V1_5_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512",
            ],
            "MultiRegion": False,
        },
    )
    auth_role = f"arn:aws:iam::{account}:role/passes-auth-task"
    ctx.resource(
        "kms",
        "KeyPolicy",
        {
            "KeyId": key_id,
            "PolicyName": "default",
            "Policy": {
                "Version": "2012-10-17",
                "Id": "passes-token-signing",
                "Statement": [
                    {
                        "Sid": "AccountAdmin",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    {
                        "Sid": "AuthServiceSign",
                        "Effect": "Allow",
                        "Principal": {"AWS": auth_role},
                        "Action": ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"],
                        "Resource": "*",
                    },
                    {
                        "Sid": "ApiVerify",
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{account}:role/passes-api-task"},
                        "Action": ["kms:GetPublicKey", "kms:DescribeKey"],
                        "Resource": "*",
                    },
                ],
            },
        },
    )
    data_key = ctx.uuid()
    ctx.resource(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": account,
            "KeyId": data_key,
            "Arn": ctx.arn("kms", f"key/{data_key}"),
            "CreationDate": k.iso(created),
            "Enabled": True,
            "Description": "rheinpass application data",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    k.iam_role(
        ctx,
        "passes-auth-task",
        created,
        "ecs-tasks.amazonaws.com",
        "passes-auth ECS task role",
        now - timedelta(minutes=1),
    )
    ctx.resource(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "passes-auth-task",
            "PolicyName": "token-signing",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Sign", "kms:GetPublicKey", "kms:DescribeKey"],
                        "Resource": key_arn,
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "dynamodb:GetItem",
                            "dynamodb:PutItem",
                            "dynamodb:UpdateItem",
                            "dynamodb:DeleteItem",
                        ],
                        "Resource": ctx.arn("dynamodb", "table/passes-refresh-tokens"),
                    },
                ],
            },
        },
    )

    # ECS
    cluster = "rheinpass-prod"
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 22,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        },
    )
    auth_td_rev = r.randint(60, 140)
    api_td_rev = r.randint(200, 320)
    auth_arn = ctx.arn("ecs", f"service/{cluster}/passes-auth")
    api_arn = ctx.arn("ecs", f"service/{cluster}/passes-api")

    # --- demand model ------------------------------------------------------------------------------
    def commute(t: datetime) -> float:
        h = (t.hour + t.minute / 60 + 2) % 24  # CEST
        return (
            0.18
            + 0.55 * pow(2.718, -(((h - 7.8) / 1.1) ** 2))
            + 0.75 * pow(2.718, -(((h - 18.1) / 1.7) ** 2))
            + 0.25 * (8 < h < 21)
        )

    base_sign = r.uniform(21000, 23500)  # Sign calls per minute at the ordinary evening peak
    quota = 30000.0

    def surge(t: datetime) -> float:
        if t < push:
            return 1.0
        m = (t - push).total_seconds() / 60
        return 1.0 + r_surge * min(1.0, m / 4) * max(0.9, 1 - m / 600)

    r_surge = r.uniform(1.25, 1.5)

    def demand(t: datetime) -> float:
        return base_sign * commute(t) / 1.25 * surge(t)

    # --- metrics -------------------------------------------------------------------------------------
    tl = ctx.timeline(start)
    auth_dims = {"TargetGroup": lb.tg_dim, "LoadBalancer": lb.dim}
    api_dims = {"TargetGroup": api_tg_dim, "LoadBalancer": lb.dim}
    usage = {"Service": "KMS", "Type": "API", "Resource": "Sign", "Class": "None"}
    tasks = 6
    cpu_hist: list[float] = []
    scale_at: datetime | None = None
    onset: datetime | None = None
    fail_track: dict[datetime, float] = {}
    for ts, _ in tl:
        want = demand(ts) * (1 + ctx.noise(0.025))
        ok = min(want, quota * (0.985 + r.uniform(0, 0.02)))
        failed = max(0.0, want - ok)
        if failed > 50 and onset is None:
            onset = ts
        fail_track[ts] = failed
        # calls to KMS include the SDK retries of throttled requests
        ctx.put("AWS/Usage", "CallCount", usage, ts, round(ok), "None")
        ctx.put(
            "AWS/Usage",
            "CallCount",
            {"Service": "KMS", "Type": "API", "Resource": "GetPublicKey", "Class": "None"},
            ts,
            ctx.count(tasks * 0.2 + 1),
            "None",
        )
        ctx.put(
            "AWS/Usage",
            "CallCount",
            {"Service": "KMS", "Type": "API", "Resource": "Decrypt", "Class": "None"},
            ts,
            ctx.count(120 * commute(ts) + 20),
            "None",
        )
        token_req = want * 1.0
        other_auth = want * 0.05  # /.well-known/jwks.json, logout, password reset
        auth_total = token_req + other_auth
        c4 = ctx.count(auth_total * 0.012)
        ctx.put(NS_ALB, "RequestCount", auth_dims, ts, round(auth_total))
        ctx.put(NS_ALB, "HTTPCode_Target_2XX_Count", auth_dims, ts, round(auth_total - failed - c4))
        ctx.put(NS_ALB, "HTTPCode_Target_4XX_Count", auth_dims, ts, c4)
        base5 = ctx.count(0.3)
        if round(failed) + base5:
            ctx.put(NS_ALB, "HTTPCode_Target_5XX_Count", auth_dims, ts, round(failed) + base5)
        share = failed / max(auth_total, 1)
        samples = [max(0.01, r.lognormvariate(-3.3, 0.4)) for _ in range(40)]
        for i in range(int(40 * share + 0.5)):
            samples[i] = r.uniform(0.35, 0.9)  # three throttled attempts with backoff
        if failed > 0:
            for i in range(int(40 * share + 0.5), min(40, int(40 * share + 0.5) + 6)):
                samples[i] = r.uniform(0.06, 0.3)  # succeeded on a retry
        ctx.put_stats(NS_ALB, "TargetResponseTime", auth_dims, ts, samples, "Seconds")
        # passes-api: app traffic; clients holding expired tokens get 401 until they manage a refresh
        api_req = want * 9.5 * (1 + ctx.noise(0.02))
        expired = sum(fail_track.get(ts - timedelta(minutes=m), 0.0) for m in range(0, 15)) * 0.9
        c401 = ctx.count(api_req * 0.008) + round(expired)
        ctx.put(NS_ALB, "RequestCount", api_dims, ts, round(api_req))
        ctx.put(NS_ALB, "HTTPCode_Target_2XX_Count", api_dims, ts, round(api_req - c401))
        ctx.put(NS_ALB, "HTTPCode_Target_4XX_Count", api_dims, ts, c401)
        if r.random() < 0.25:
            ctx.put(NS_ALB, "HTTPCode_Target_5XX_Count", api_dims, ts, ctx.count(1.2) + 1)
        ctx.put_stats(
            NS_ALB,
            "TargetResponseTime",
            api_dims,
            ts,
            [max(0.005, r.lognormvariate(-3.0, 0.5)) for _ in range(30)],
            "Seconds",
        )
        ctx.put(NS_ALB, "RequestCount", {"LoadBalancer": lb.dim}, ts, round(api_req + auth_total))
        ctx.put(NS_ALB, "HealthyHostCount", auth_dims, ts, tasks, "Count")
        ctx.put(NS_ALB, "UnHealthyHostCount", auth_dims, ts, 0, "Count")
        ctx.put(NS_ALB, "HealthyHostCount", api_dims, ts, 12, "Count")
        ctx.put(NS_ALB, "UnHealthyHostCount", api_dims, ts, 0, "Count")
        # CPU: request handling plus backoff retries
        cpu = 9 + (ok + failed * 1.5) / tasks * 0.0085 + ctx.noise(1.3)
        cpu_hist.append(cpu)
        ctx.put(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": "passes-auth"},
            ts,
            cpu,
            "Percent",
        )
        ctx.put(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": "passes-auth"},
            ts,
            41 + ctx.noise(0.8) + 4 * share,
            "Percent",
        )
        ctx.put(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": "passes-api"},
            ts,
            12 + api_req / 12 * 0.0045 + ctx.noise(1.5),
            "Percent",
        )
        ctx.put(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": "passes-api"},
            ts,
            55 + ctx.noise(0.6),
            "Percent",
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "passes-refresh-tokens"},
            ts,
            ok * 2 * (1 + ctx.noise(0.03)),
            "Count",
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": "passes-refresh-tokens"},
            ts,
            want * 0.5 * (1 + ctx.noise(0.03)),
            "Count",
        )
        if scale_at is None and len(cpu_hist) >= 3 and all(c > 60 for c in cpu_hist[-3:]):
            scale_at = ts + timedelta(minutes=1, seconds=r.randint(20, 50))
        if scale_at is not None and ts >= scale_at + timedelta(minutes=2) and tasks < 10:
            tasks = 10
    assert onset is not None

    # --- resources that depend on the timeline ---------------------------------------------------------
    auth_td = ctx.arn("ecs", f"task-definition/passes-auth:{auth_td_rev}")
    api_deploy_at = onset - timedelta(minutes=r.randint(14, 22), seconds=r.randint(0, 59))
    final_tasks = tasks
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": auth_arn,
            "serviceName": "passes-auth",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": lb.tg_arn, "containerName": "passes-auth", "containerPort": 8080}
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": final_tasks,
            "runningCount": final_tasks,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": auth_td,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": "ecs-svc/" + str(r.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": auth_td,
                    "desiredCount": final_tasks,
                    "pendingCount": 0,
                    "runningCount": final_tasks,
                    "failedTasks": 0,
                    "createdAt": k.iso(start - timedelta(days=r.randint(3, 9))),
                    "updatedAt": k.iso(scale_at or start),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": [s[0] for s in net.private],
                            "securityGroups": [task_sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": k.iso(created),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [s[0] for s in net.private],
                    "securityGroups": [task_sg],
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
    api_td = ctx.arn("ecs", f"task-definition/passes-api:{api_td_rev}")
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": api_arn,
            "serviceName": "passes-api",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": api_tg_arn, "containerName": "passes-api", "containerPort": 8080}
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": 12,
            "runningCount": 12,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": api_td,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": "ecs-svc/" + str(r.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": api_td,
                    "desiredCount": 12,
                    "pendingCount": 0,
                    "runningCount": 12,
                    "failedTasks": 0,
                    "createdAt": k.iso(api_deploy_at),
                    "updatedAt": k.iso(api_deploy_at + timedelta(minutes=7)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": k.iso(created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [s[0] for s in net.private],
                    "securityGroups": [task_sg],
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
    ctx.event(
        "ecs",
        {
            "service_arn": api_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(api_deploy_at + timedelta(seconds=20)),
                "message": f"(service passes-api) has started 12 tasks: (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}).",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": api_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(api_deploy_at + timedelta(minutes=4)),
                "message": f"(service passes-api) has stopped 12 running tasks: (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}).",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": api_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(api_deploy_at + timedelta(minutes=7)),
                "message": "(service passes-api) has reached a steady state.",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": api_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(api_deploy_at + timedelta(minutes=7, seconds=2)),
                "message": f"(service passes-api) (deployment ecs-svc/{r.randint(10**18, 10**19 - 1)}) deployment completed.",
            },
        },
    )
    for i in range(int((now - start).total_seconds() // 21600) + 1):
        ctx.event(
            "ecs",
            {
                "service_arn": auth_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": k.iso(start + timedelta(hours=6 * i, minutes=r.randint(0, 50))),
                    "message": "(service passes-auth) has reached a steady state.",
                },
            },
        )
    res_id = f"service/{cluster}/passes-auth"
    pol_name = "passes-auth-cpu60"
    pol_arn = ctx.arn(
        "autoscaling", f"scalingPolicy:{ctx.uuid()}:resource/ecs/{res_id}:policyName/{pol_name}"
    )
    hi = f"TargetTracking-{res_id}-AlarmHigh-{ctx.uuid()}"
    ctx.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": res_id,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 6,
            "MaxCapacity": 24,
            "RoleARN": f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": k.iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": ctx.arn("application-autoscaling", f"scalable-target/0ec5{ctx.hex(28)}"),
        },
    )
    ctx.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": pol_arn,
            "PolicyName": pol_name,
            "ServiceNamespace": "ecs",
            "ResourceId": res_id,
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
                "DisableScaleIn": True,
            },
            "Alarms": [{"AlarmName": hi, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{hi}")}],
            "CreationTime": k.iso(created),
        },
    )
    if scale_at is not None:
        ctx.event(
            "application_autoscaling",
            {
                "ActivityId": ctx.uuid(),
                "ServiceNamespace": "ecs",
                "ResourceId": res_id,
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": "Setting desired count to 10.",
                "Cause": f"monitor alarm {hi} in state ALARM triggered policy {pol_name}",
                "StartTime": k.iso(scale_at),
                "EndTime": k.iso(scale_at + timedelta(seconds=r.randint(60, 110))),
                "StatusCode": "Successful",
                "StatusMessage": "Successfully set desired count to 10. Change successfully fulfilled by ecs.",
            },
        )
        ctx.event(
            "ecs",
            {
                "service_arn": auth_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": k.iso(scale_at + timedelta(seconds=4)),
                    "message": f"(service passes-auth) has started 4 tasks: (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}) (task {ctx.hex(32)}).",
                },
            },
        )
        ctx.event(
            "ecs",
            {
                "service_arn": auth_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": k.iso(scale_at + timedelta(minutes=2, seconds=30)),
                    "message": "(service passes-auth) has reached a steady state.",
                },
            },
        )
    table = "passes-refresh-tokens"
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [{"AttributeName": "token_hash", "AttributeType": "S"}],
            "TableName": table,
            "KeySchema": [{"AttributeName": "token_hash", "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": r.randint(10**9, 5 * 10**9),
            "ItemCount": r.randint(2 * 10**6, 9 * 10**6),
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uuid(),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "DeletionProtectionEnabled": True,
        },
    )
    k.log_group(ctx, "/ecs/passes-auth", created)
    k.log_group(ctx, "/ecs/passes-api", created)

    # --- alarms --------------------------------------------------------------------------------------
    topic = ctx.arn("sns", "rheinpass-oncall-pager")
    fired = k.alarm(
        ctx,
        name="passes-auth-target-5xx",
        description="passes-auth returning 5xx to the app (more than 100 per minute for 3 minutes)",
        ns=NS_ALB,
        metric="HTTPCode_Target_5XX_Count",
        dims=auth_dims,
        stat="Sum",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=100,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=40),
    )
    k.alarm(
        ctx,
        name="passes-api-target-5xx",
        description="passes-api returning 5xx",
        ns=NS_ALB,
        metric="HTTPCode_Target_5XX_Count",
        dims=api_dims,
        stat="Sum",
        period=60,
        evals=5,
        to_alarm=3,
        threshold=50,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=40),
    )
    k.alarm(
        ctx,
        name="passes-auth-unhealthy-targets",
        description="passes-auth unhealthy targets",
        ns=NS_ALB,
        metric="UnHealthyHostCount",
        dims=auth_dims,
        stat="Maximum",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=0,
        op="GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=40),
    )
    k.alarm(
        ctx,
        name="passes-auth-memory-high",
        description="passes-auth memory above 85%",
        ns="AWS/ECS",
        metric="MemoryUtilization",
        dims={"ClusterName": cluster, "ServiceName": "passes-auth"},
        stat="Average",
        period=300,
        evals=2,
        to_alarm=2,
        threshold=85,
        op="GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=40),
    )
    k.alarm(
        ctx,
        name=hi,
        description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {pol_arn}.",
        ns="AWS/ECS",
        metric="CPUUtilization",
        dims={"ClusterName": cluster, "ServiceName": "passes-auth"},
        stat="Average",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=60,
        op="GreaterThanThreshold",
        actions=[pol_arn],
        created=created,
    )
    assert fired is not None

    # --- logs ----------------------------------------------------------------------------------------
    auth_tasks = [ctx.hex(32) for _ in range(10)]
    api_tasks = [ctx.hex(32) for _ in range(3)]
    threads = [f"nio-8080-exec-{i}" for i in range(1, 41)]

    def jline(t: datetime, level: str, logger: str, msg: str) -> str:
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond // 1000:03d}Z {level:>5} 1 --- [passes-auth] [{r.choice(threads):>15}] {logger:<40} : {msg}"

    t = start + timedelta(seconds=r.uniform(0, 30))
    while t < now:
        n_live = 10 if (scale_at and t > scale_at + timedelta(minutes=1)) else 6
        task = auth_tasks[r.randrange(n_live)]
        stream = f"passes-auth/passes-auth/{task}"
        failing = fail_track.get(k.floor_min(t), 0.0) > 0
        if failing and r.random() < 0.8:
            rid = ctx.uuid()
            trace = (
                "software.amazon.awssdk.services.kms.model.KmsException: You have exceeded the rate at which you may call KMS. "
                f"Reduce the frequency of your calls. (Service: Kms, Status Code: 400, Request ID: {rid})\n"
                "\tat software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handleErrorResponse(CombinedResponseHandler.java:125)\n"
                "\tat software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:73)\n"
                "\tat software.amazon.awssdk.services.kms.DefaultKmsClient.sign(DefaultKmsClient.java:8021)\n"
                "\tat de.rheinpass.auth.token.KmsTokenSigner.sign(KmsTokenSigner.java:58)\n"
                "\tat de.rheinpass.auth.token.AccessTokenIssuer.issue(AccessTokenIssuer.java:91)\n"
                "\tat de.rheinpass.auth.web.TokenController.token(TokenController.java:77)\n"
                "\t... 54 common frames omitted"
            )
            ctx.log(
                "/ecs/passes-auth",
                stream,
                t,
                jline(
                    t,
                    "ERROR",
                    "d.r.auth.web.TokenErrorHandler",
                    f"token request failed grant_type=refresh_token client_id={r.choice(['ios-app', 'android-app'])} status=500\n{trace}",
                ),
            )
        elif r.random() < 0.04:
            ctx.log(
                "/ecs/passes-auth",
                stream,
                t,
                jline(
                    t,
                    "WARN",
                    "d.r.auth.token.RefreshTokenService",
                    f"refresh token reuse detected, revoking family fam_{ctx.hex(12)}",
                ),
            )
        elif r.random() < 0.02:
            ctx.log(
                "/ecs/passes-auth",
                stream,
                t,
                jline(
                    t,
                    "WARN",
                    "com.zaxxer.hikari.pool.HikariPool",
                    "HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).",
                ),
            )
        else:
            ctx.log(
                "/ecs/passes-auth",
                stream,
                t,
                jline(
                    t,
                    " INFO",
                    "d.r.auth.web.TokenController",
                    f"token issued grant_type={r.choice(['refresh_token'] * 9 + ['password'])} client_id={r.choice(['ios-app', 'android-app', 'web'])} kid={key_id[:8]} ms={r.randint(18, 64)}",
                ).replace("  INFO", " INFO"),
            )
        t += timedelta(seconds=r.uniform(2, 9) if failing else r.uniform(10, 35))
    t = start + timedelta(seconds=r.uniform(0, 30))
    while t < now:
        task = r.choice(api_tasks)
        expired = sum(fail_track.get(k.floor_min(t) - timedelta(minutes=m), 0.0) for m in range(15)) > 0
        if expired and r.random() < 0.5:
            msg = f'{{"ts":"{k.iso_ms(t)}","level":"WARN","logger":"JwtAuthFilter","msg":"rejected bearer token","reason":"expired","exp_age_s":{r.randint(5, 900)},"path":"{r.choice(["/v2/passes/active", "/v2/tickets", "/v2/me"])}"}}'
        elif r.random() < 0.03:
            msg = f'{{"ts":"{k.iso_ms(t)}","level":"WARN","logger":"PaymentClient","msg":"psp call slow","ms":{r.randint(1500, 3200)}}}'
        else:
            msg = f'{{"ts":"{k.iso_ms(t)}","level":"INFO","logger":"AccessLog","msg":"{r.choice(["GET", "GET", "POST"])} {r.choice(["/v2/passes/active", "/v2/tickets", "/v2/me", "/v2/zones"])} 200","ms":{r.randint(6, 80)}}}'
        ctx.log("/ecs/passes-api", f"passes-api/passes-api/{task}", t, msg)
        t += timedelta(seconds=r.uniform(15, 40))

    # --- CloudTrail ------------------------------------------------------------------------------------
    office = k.office_ip(ctx)
    eng = ctx.sso_user(
        "PlatformAdmin", r.choice(["jonas.weber", "lena.hoffmann", "tobias.krause"]) + "@rheinpass.de", office
    )
    sec = ctx.sso_user(
        "SecurityAudit", r.choice(["miriam.schulz", "felix.braun"]) + "@rheinpass.de", office, console=False
    )
    ci = ctx.role_principal(
        "github-deploy-passes",
        "GitHubActions",
        k.public_ip(ctx),
        "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.17.0 api/ecs#3.637.0",
    )
    dd = ctx.role_principal(
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        "3.233.148.213",
        "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
    )
    aas = ctx.service_linked(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ApplicationAutoScaling",
        "ecs.application-autoscaling.amazonaws.com",
    )
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        (
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": ["passes-auth", "passes-api"]},
        ),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": "passes-auth"}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": lb.tg_arn}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("kms.amazonaws.com", "DescribeKey", {"keyId": alias}),
        ("kms.amazonaws.com", "ListAliases", None),
        (
            "logs.amazonaws.com",
            "FilterLogEvents",
            {"logGroupName": "/ecs/passes-auth", "startTime": k.ms(now - timedelta(hours=1))},
        ),
    ]
    k.routine_reads(ctx, [dd], reads[:4], 16, start, now)
    k.routine_reads(ctx, [eng, sec], reads, 12, start, now)
    ctx.trail(
        start + timedelta(minutes=r.randint(20, 80)),
        sec,
        "iam.amazonaws.com",
        "GenerateCredentialReport",
        None,
        {"state": "STARTED", "description": "No report exists. Starting a new report generation task"},
    )
    ctx.trail(
        start + timedelta(minutes=r.randint(100, 160)),
        eng,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/rheinpass/prod/passes-api/zones-cache-ttl",
            "type": "String",
            "overwrite": True,
            "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {"version": r.randint(2, 6), "tier": "Standard"},
    )
    # the passes-api deploy (innocent)
    api_new_td = ctx.arn("ecs", f"task-definition/passes-api:{api_td_rev}")
    ctx.trail(
        api_deploy_at - timedelta(seconds=25),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "passes-api",
            "taskRoleArn": f"arn:aws:iam::{account}:role/passes-api-task",
            "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "passes-api",
                    "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/passes-api:{ctx.hex(7)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": api_new_td,
                "family": "passes-api",
                "revision": api_td_rev,
                "status": "ACTIVE",
            }
        },
    )
    ctx.trail(
        api_deploy_at,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "passes-api",
            "taskDefinition": api_new_td,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "passes-api",
                "serviceArn": api_arn,
                "taskDefinition": api_new_td,
                "desiredCount": 12,
                "status": "ACTIVE",
            }
        },
    )
    # a harmless change on the signing key
    ctx.trail(
        onset - timedelta(minutes=r.randint(6, 12), seconds=r.randint(0, 59)),
        eng,
        "kms.amazonaws.com",
        "TagResource",
        {
            "keyId": key_id,
            "tags": [
                {"tagKey": "cost-centre", "tagValue": "cc-4410-mobility"},
                {"tagKey": "data-classification", "tagValue": "confidential"},
            ],
        },
        None,
    )
    ctx.trail(
        onset - timedelta(minutes=r.randint(2, 5)),
        eng,
        "kms.amazonaws.com",
        "TagResource",
        {"keyId": data_key, "tags": [{"tagKey": "cost-centre", "tagValue": "cc-4410-mobility"}]},
        None,
    )
    if scale_at is not None:
        ctx.trail(
            scale_at + timedelta(seconds=1),
            aas,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster_arn, "service": "passes-auth", "desiredCount": 10},
            {
                "service": {
                    "serviceName": "passes-auth",
                    "serviceArn": auth_arn,
                    "desiredCount": 10,
                    "status": "ACTIVE",
                }
            },
        )
    ctx.trail(
        now - timedelta(minutes=r.randint(3, 8)),
        eng,
        "servicequotas.amazonaws.com",
        "ListServiceQuotas",
        {"serviceCode": "kms"},
        None,
        read_only=True,
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": k.alarm_event(ctx, fired)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": key_arn,
                    "category": "limit",
                    "failure_mode": "kms-rsa-sign-request-quota-throttling",
                    "event_id": None,
                },
                "also_accept": [key_id, alias, "passes-token-signing"],
                "actions": ["scale", "reconfigure"],
                "chain": [
                    "The evening push campaign roughly doubles token refreshes from the apps",
                    f"passes-auth signs every access token with KMS key {alias} (RSA_2048) and Sign calls reach the account's RSA request quota (~500/s)",
                    "KMS throttles the excess Sign calls (ThrottlingException) and passes-auth returns 500 after its retries",
                    "passes-auth-target-5xx alarms; app users whose refresh fails are signed out and passes-api answers 401 to expired tokens",
                ],
            },
        }
    )
    return Bundle(manifest, k.sort_all(ctx))
