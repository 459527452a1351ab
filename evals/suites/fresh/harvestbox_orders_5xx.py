"""harvestbox orders-api: target 5xx alarm a few minutes after a routine configuration redeploy."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zt import (
    GITHUB_IPS,
    UA_DOCKER,
    UA_GRAFANA,
    Actor,
    AlarmSpec,
    Ctx,
    Json,
    aggregate,
    alarm_event,
    alb,
    daily,
    ecs_event,
    epoch_ms,
    evaluate_alarm,
    gha_ua,
    grid,
    iso,
    iso_ms,
    jitter,
    latency_dist,
    log_group,
    make_net,
    make_sg,
    minute,
    pick_day,
    target_group,
    target_point,
    tcp_from_cidr,
    tcp_from_sg,
    tf_ua,
)

NAME = "harvestbox-orders-api-5xx"
TITLE = "hb-orders-api target 5xx alarm; order pages erroring for customers"
SUMMARY = (
    "A CI job moved the mutable ECR tag the orders service deploys from to a release-candidate image hours "
    "earlier; a harmless env-only redeploy later re-resolved the tag and shipped code that reads a column not yet migrated."
)

REGIONS = ["eu-west-1", "eu-west-2", "eu-central-1"]


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "", "")
    rng = ctx.rng
    ctx.account = str(rng.randrange(10**11, 10**12))
    ctx.region = rng.choice(REGIONS)
    acct, region = ctx.account, ctx.region
    ids = ctx.ids

    day = pick_day(rng)
    onset = day + timedelta(hours=rng.randint(11, 14), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
    register_at = onset - timedelta(minutes=4, seconds=rng.randint(0, 40))
    update_at = register_at + timedelta(seconds=rng.randint(25, 70))
    new_started = update_at + timedelta(seconds=rng.randint(70, 100))
    new_healthy = new_started + timedelta(seconds=rng.randint(30, 45))
    old_drain = new_healthy + timedelta(seconds=rng.randint(5, 20))
    old_stopped = old_drain + timedelta(seconds=rng.randint(35, 50))
    rc_push = onset - timedelta(hours=rng.randint(2, 4), minutes=rng.randint(5, 50))
    prev_release = day - timedelta(days=1) + timedelta(hours=rng.randint(14, 16), minutes=rng.randint(0, 59))
    start = prev_release - timedelta(hours=2, minutes=prev_release.minute)
    now = onset + timedelta(minutes=rng.randint(34, 48))
    fine_from = onset - timedelta(hours=3)
    peak = rng.uniform(11.5, 13.5)

    net = make_net(ctx, "harvestbox-prod", rng.choice([20, 24, 32]))
    cluster = "harvestbox-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}"
    alb_sg = make_sg(
        ctx,
        net,
        "hb-public-alb",
        "public ALB",
        [tcp_from_cidr(443, "0.0.0.0/0"), tcp_from_cidr(80, "0.0.0.0/0")],
    )
    svc_sg = make_sg(
        ctx, net, "hb-ecs-services", "ECS services behind hb-public", [tcp_from_sg(8080, alb_sg, "from ALB")]
    )
    bastion_sg = make_sg(
        ctx, net, "hb-bastion", "bastion host", [tcp_from_cidr(22, "185.46.212.0/24", "office vpn")]
    )
    db_sg = make_sg(
        ctx,
        net,
        "hb-orders-pg",
        "orders postgres",
        [tcp_from_sg(5432, svc_sg, "ecs services"), tcp_from_sg(5432, bastion_sg, "bastion")],
    )
    created_long_ago = day - timedelta(days=rng.randint(300, 600))
    lb_arn, lb_dim = alb(ctx, net, "hb-public", alb_sg, created_long_ago)
    orders_tg, orders_tg_dim = target_group(ctx, net, "hb-orders-api", lb_arn, 8080, "/healthz")
    menu_tg, menu_tg_dim = target_group(ctx, net, "hb-menu-api", lb_arn, 8080, "/health")
    ctx.res(
        "elbv2",
        "Listener",
        {
            "ListenerArn": lb_arn.replace(":loadbalancer/", ":listener/") + "/" + ids.hex(16),
            "LoadBalancerArn": lb_arn,
            "Port": 443,
            "Protocol": "HTTPS",
            "Certificates": [{"CertificateArn": f"arn:aws:acm:{region}:{acct}:certificate/{ids.uuid()}"}],
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": menu_tg, "Order": 1}],
        },
    )

    # ECR
    repo = "harvestbox/orders-api"
    registry = f"{acct}.dkr.ecr.{region}.amazonaws.com"
    repo_uri = f"{registry}/{repo}"
    ctx.res(
        "ecr",
        "Repository",
        {
            "repositoryArn": f"arn:aws:ecr:{region}:{acct}:repository/{repo}",
            "registryId": acct,
            "repositoryName": repo,
            "repositoryUri": repo_uri,
            "createdAt": iso(created_long_ago),
            "imageTagMutability": "MUTABLE",
            "imageScanningConfiguration": {"scanOnPush": True},
            "encryptionConfiguration": {"encryptionType": "AES256"},
        },
    )
    menu_repo = "harvestbox/menu-api"
    ctx.res(
        "ecr",
        "Repository",
        {
            "repositoryArn": f"arn:aws:ecr:{region}:{acct}:repository/{menu_repo}",
            "registryId": acct,
            "repositoryName": menu_repo,
            "repositoryUri": f"{registry}/{menu_repo}",
            "createdAt": iso(created_long_ago + timedelta(days=3)),
            "imageTagMutability": "MUTABLE",
            "imageScanningConfiguration": {"scanOnPush": True},
            "encryptionConfiguration": {"encryptionType": "AES256"},
        },
    )
    minor = rng.randint(38, 47)
    old_ver = f"1.{minor}.{rng.randint(1, 5)}"
    rc_ver = f"1.{minor + 1}.0-rc.{rng.randint(1, 3)}"
    older_ver = f"1.{minor}.0"
    old_commit, rc_commit, older_commit = ids.hex(7), ids.hex(7), ids.hex(7)
    old_digest, rc_digest, older_digest = ids.digest(), ids.digest(), ids.digest()
    images = [
        (
            older_digest,
            [older_ver, older_commit],
            prev_release - timedelta(days=rng.randint(4, 9)),
            prev_release,
        ),
        (
            old_digest,
            [old_ver, old_commit],
            prev_release - timedelta(minutes=4) + timedelta(seconds=24),
            prev_release + timedelta(minutes=2, seconds=30),
        ),
        (
            rc_digest,
            ["release", rc_ver, rc_commit],
            rc_push + timedelta(seconds=24),
            new_started - timedelta(seconds=29),
        ),
    ]
    for dg, tags, pushed, pulled in images:
        ctx.res(
            "ecr",
            "ImageDetail",
            {
                "registryId": acct,
                "repositoryName": repo,
                "imageDigest": dg,
                "imageTags": tags,
                "imageSizeInBytes": rng.randrange(68_000_000, 74_000_000),
                "imagePushedAt": iso(pushed),
                "imageScanStatus": {
                    "status": "COMPLETE",
                    "description": "The scan was completed successfully.",
                },
                "imageScanFindingsSummary": {
                    "imageScanCompletedAt": iso(pushed + timedelta(seconds=rng.randint(20, 60))),
                    "findingSeverityCounts": {"MEDIUM": rng.randint(2, 6), "LOW": rng.randint(4, 12)},
                },
                "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "artifactMediaType": "application/vnd.docker.container.image.v1+json",
                "lastRecordedPullTime": iso(pulled),
            },
        )

    # roles
    exec_role = f"arn:aws:iam::{acct}:role/hb-ecs-task-execution"
    task_role = f"arn:aws:iam::{acct}:role/hb-orders-api-task"
    for rn, svc in (
        ("hb-ecs-task-execution", "ecs-tasks.amazonaws.com"),
        ("hb-orders-api-task", "ecs-tasks.amazonaws.com"),
        ("github-actions-ecr-push", None),
    ):
        trust: Json
        if svc:
            trust = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": svc}, "Action": "sts:AssumeRole"}],
            }
        else:
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {
                            "Federated": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com"
                        },
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {
                            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                            "StringLike": {
                                "token.actions.githubusercontent.com:sub": "repo:harvestbox/orders-api:*"
                            },
                        },
                    }
                ],
            }
        ctx.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": rn,
                "RoleId": ids.role_id(),
                "Arn": f"arn:aws:iam::{acct}:role/{rn}",
                "CreateDate": iso(created_long_ago + timedelta(days=1)),
                "AssumeRolePolicyDocument": json.dumps(trust),
                "MaxSessionDuration": 3600,
            },
        )

    # RDS
    db_id = "hb-orders-pg"
    db_host = f"{db_id}.{ids.upper(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}.{region}.rds.amazonaws.com"
    ctx.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db_id,
            "DBInstanceClass": "db.r6g.large",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "MasterUsername": "hbadmin",
            "DBName": "orders",
            "Endpoint": {"Address": db_host, "Port": 5432, "HostedZoneId": "Z29XKXDKYMONMX"},
            "AllocatedStorage": 200,
            "InstanceCreateTime": iso(created_long_ago),
            "PreferredBackupWindow": "02:10-02:40",
            "BackupRetentionPeriod": 14,
            "VpcSecurityGroups": [{"VpcSecurityGroupId": db_sg, "Status": "active"}],
            "DBParameterGroups": [
                {"DBParameterGroupName": "hb-postgres15", "ParameterApplyStatus": "in-sync"}
            ],
            "AvailabilityZone": net.azs[0],
            "PreferredMaintenanceWindow": "sun:03:00-sun:03:30",
            "MultiAZ": True,
            "SecondaryAvailabilityZone": net.azs[1],
            "EngineVersion": "15.7",
            "AutoMinorVersionUpgrade": True,
            "StorageType": "gp3",
            "Iops": 3000,
            "StorageThroughput": 125,
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + ids.upper(26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            "DBInstanceArn": f"arn:aws:rds:{region}:{acct}:db:{db_id}",
            "PerformanceInsightsEnabled": True,
            "EnabledCloudwatchLogsExports": ["postgresql"],
            "DeletionProtection": True,
            "CopyTagsToSnapshot": True,
            "TagList": [{"Key": "service", "Value": "orders"}, {"Key": "env", "Value": "prod"}],
        },
    )

    # ECS
    ctx.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 5 + rng.randint(2, 6),
            "pendingTasksCount": 0,
            "activeServicesCount": 4,
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )
    rev = rng.randint(60, 140)
    keep_old, keep_new = "5000", "65000"

    def container_def(keepalive: str) -> Json:
        return {
            "name": "orders-api",
            "image": f"{repo_uri}:release",
            "cpu": 0,
            "portMappings": [
                {
                    "containerPort": 8080,
                    "hostPort": 8080,
                    "protocol": "tcp",
                    "name": "http",
                    "appProtocol": "http",
                }
            ],
            "essential": True,
            "environment": [
                {"name": "NODE_ENV", "value": "production"},
                {"name": "PORT", "value": "8080"},
                {"name": "PGHOST", "value": db_host},
                {"name": "PGDATABASE", "value": "orders"},
                {"name": "PG_POOL_MAX", "value": "20"},
                {"name": "MENU_API_URL", "value": "http://menu-api.harvestbox.internal:8080"},
                {"name": "HTTP_KEEP_ALIVE_TIMEOUT_MS", "value": keepalive},
                {"name": "LOG_LEVEL", "value": "info"},
            ],
            "secrets": [
                {
                    "name": "PGUSER",
                    "valueFrom": f"arn:aws:secretsmanager:{region}:{acct}:secret:prod/orders-api/db-AbC1x2:username::",
                },
                {
                    "name": "PGPASSWORD",
                    "valueFrom": f"arn:aws:secretsmanager:{region}:{acct}:secret:prod/orders-api/db-AbC1x2:password::",
                },
            ],
            "mountPoints": [],
            "volumesFrom": [],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/hb-orders-api",
                    "awslogs-region": region,
                    "awslogs-stream-prefix": "orders-api",
                },
            },
            "systemControls": [],
        }

    eng_user = rng.choice(["m.okafor", "s.lindqvist", "j.haddad", "r.mbeki"]) + "@harvestbox.co.uk"
    eng = ctx.sso(eng_user, "PlatformEngineer", register_at - timedelta(minutes=35))
    td_arns = {}
    for r, keep, when, who in (
        (rev, keep_old, prev_release - timedelta(days=rng.randint(8, 20)), "ci"),
        (rev + 1, keep_new, register_at, "human"),
    ):
        arn = f"arn:aws:ecs:{region}:{acct}:task-definition/hb-orders-api:{r}"
        td_arns[r] = arn
        ctx.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": arn,
                "containerDefinitions": [container_def(keep)],
                "family": "hb-orders-api",
                "taskRoleArn": task_role,
                "executionRoleArn": exec_role,
                "networkMode": "awsvpc",
                "revision": r,
                "volumes": [],
                "status": "ACTIVE",
                "requiresAttributes": [
                    {"name": "com.amazonaws.ecs.capability.logging-driver.awslogs"},
                    {"name": "ecs.capability.execution-role-awslogs"},
                    {"name": "com.amazonaws.ecs.capability.ecr-auth"},
                    {"name": "ecs.capability.secrets.asm.environment-variables"},
                    {"name": "ecs.capability.task-eni"},
                ],
                "placementConstraints": [],
                "compatibilities": ["EC2", "FARGATE"],
                "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
                "registeredAt": iso_ms(when),
                "registeredBy": f"arn:aws:sts::{acct}:assumed-role/github-actions-ecs-deploy/GitHubActions"
                if who == "ci"
                else eng.identity["arn"],
            },
        )
    svc_name = "hb-orders-api"
    svc_arn = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/{svc_name}"
    dep_prev = "ecs-svc/" + str(rng.randrange(10**18, 10**19))
    dep_new = "ecs-svc/" + str(rng.randrange(10**18, 10**19))
    netcfg = {
        "awsvpcConfiguration": {
            "subnets": list(net.private),
            "securityGroups": [svc_sg],
            "assignPublicIp": "DISABLED",
        }
    }
    ctx.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc_name,
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": orders_tg, "containerName": "orders-api", "containerPort": 8080}
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": 3,
            "runningCount": 3,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": td_arns[rev + 1],
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_new,
                    "status": "PRIMARY",
                    "taskDefinition": td_arns[rev + 1],
                    "desiredCount": 3,
                    "pendingCount": 0,
                    "runningCount": 3,
                    "failedTasks": 0,
                    "createdAt": iso_ms(update_at),
                    "updatedAt": iso_ms(old_stopped + timedelta(seconds=50)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": netcfg,
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": f"ECS deployment {dep_new} completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": iso_ms(created_long_ago + timedelta(days=2)),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": netcfg,
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{acct}:role/terraform-apply",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    for dep, td, digest, created in (
        (dep_prev, td_arns[rev], old_digest, prev_release + timedelta(minutes=2)),
        (dep_new, td_arns[rev + 1], rc_digest, update_at),
    ):
        ctx.res(
            "ecs",
            "ServiceRevision",
            {
                "serviceRevisionArn": f"arn:aws:ecs:{region}:{acct}:service-revision/{cluster}/{svc_name}/{dep.split('/')[1]}",
                "serviceArn": svc_arn,
                "clusterArn": cluster_arn,
                "taskDefinition": td,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "loadBalancers": [
                    {"targetGroupArn": orders_tg, "containerName": "orders-api", "containerPort": 8080}
                ],
                "networkConfiguration": netcfg,
                "containerImages": [
                    {"containerName": "orders-api", "imageDigest": digest, "image": f"{repo_uri}:release"}
                ],
                "guardDutyEnabled": False,
                "createdAt": iso_ms(created),
            },
        )

    # tasks: old (from yesterday's release, stopped by today's deployment) and new
    def ip_in(i: int) -> str:
        base = net.private_cidrs[i].split(".")
        return f"{base[0]}.{base[1]}.{int(base[2]) + rng.randrange(0, 15)}.{rng.randrange(4, 250)}"

    old_tasks: list[tuple[str, str, str]] = []
    new_tasks: list[tuple[str, str, str]] = []
    for group, started, digest in (
        (old_tasks, prev_release + timedelta(minutes=3), old_digest),
        (new_tasks, new_started, rc_digest),
    ):
        for i in range(3):
            tid = ids.hex(32)
            ip = ip_in(i)
            group.append((tid, ip, net.azs[i]))
            stopped = group is old_tasks
            eni = ids.ec2("eni")
            task: Json = {
                "attachments": [
                    {
                        "id": ids.uuid(),
                        "type": "ElasticNetworkInterface",
                        "status": "DELETED" if stopped else "ATTACHED",
                        "details": [
                            {"name": "subnetId", "value": net.private[i]},
                            {"name": "networkInterfaceId", "value": eni},
                            {"name": "macAddress", "value": ":".join(ids.hex(2) for _ in range(6))},
                            {
                                "name": "privateDnsName",
                                "value": f"ip-{ip.replace('.', '-')}.{region}.compute.internal",
                            },
                            {"name": "privateIPv4Address", "value": ip},
                        ],
                    }
                ],
                "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
                "availabilityZone": net.azs[i],
                "clusterArn": cluster_arn,
                "connectivity": "CONNECTED",
                "connectivityAt": iso_ms(started - timedelta(seconds=40)),
                "containers": [
                    {
                        "containerArn": f"arn:aws:ecs:{region}:{acct}:container/{cluster}/{tid}/{ids.uuid()}",
                        "taskArn": f"arn:aws:ecs:{region}:{acct}:task/{cluster}/{tid}",
                        "name": "orders-api",
                        "image": f"{repo_uri}:release",
                        "imageDigest": digest,
                        "runtimeId": f"{tid}-{rng.randrange(10**9, 10**10)}",
                        "lastStatus": "STOPPED" if stopped else "RUNNING",
                        "networkInterfaces": [{"attachmentId": ids.uuid(), "privateIpv4Address": ip}],
                        "healthStatus": "UNKNOWN",
                        "cpu": "0",
                        **({"exitCode": 0} if stopped else {}),
                    }
                ],
                "cpu": "512",
                "createdAt": iso_ms(started - timedelta(seconds=45)),
                "desiredStatus": "STOPPED" if stopped else "RUNNING",
                "enableExecuteCommand": False,
                "group": f"service:{svc_name}",
                "healthStatus": "UNKNOWN",
                "lastStatus": "STOPPED" if stopped else "RUNNING",
                "launchType": "FARGATE",
                "memory": "1024",
                "overrides": {
                    "containerOverrides": [{"name": "orders-api"}],
                    "inferenceAcceleratorOverrides": [],
                },
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "pullStartedAt": iso_ms(started - timedelta(seconds=30)),
                "pullStoppedAt": iso_ms(started - timedelta(seconds=12)),
                "startedAt": iso_ms(started),
                "startedBy": dep_prev if stopped else dep_new,
                "taskArn": f"arn:aws:ecs:{region}:{acct}:task/{cluster}/{tid}",
                "taskDefinitionArn": td_arns[rev] if stopped else td_arns[rev + 1],
                "version": 5 if stopped else 3,
                "ephemeralStorage": {"sizeInGiB": 20},
                "tags": [
                    {"key": "aws:ecs:serviceName", "value": svc_name},
                    {"key": "aws:ecs:clusterName", "value": cluster},
                ],
            }
            if stopped:
                task.update(
                    {
                        "stopCode": "ServiceSchedulerInitiated",
                        "stoppedReason": f"Scaling activity initiated by (deployment {dep_new})",
                        "stoppingAt": iso_ms(old_drain + timedelta(seconds=31)),
                        "executionStoppedAt": iso_ms(old_stopped - timedelta(seconds=8)),
                        "stoppedAt": iso_ms(old_stopped),
                    }
                )
            ctx.res("ecs", "Task", task)

    # service events and target health
    prev_new_start = prev_release + timedelta(minutes=3)
    for _tid, ip, az in old_tasks:
        target_point(
            ctx,
            orders_tg,
            ip,
            8080,
            az,
            prev_new_start + timedelta(seconds=5),
            "initial",
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        target_point(ctx, orders_tg, ip, 8080, az, prev_new_start + timedelta(seconds=35), "healthy")
        target_point(
            ctx,
            orders_tg,
            ip,
            8080,
            az,
            old_drain,
            "draining",
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
        target_point(
            ctx,
            orders_tg,
            ip,
            8080,
            az,
            old_drain + timedelta(seconds=31),
            "unused",
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )
    for _tid, ip, az in new_tasks:
        target_point(
            ctx,
            orders_tg,
            ip,
            8080,
            az,
            new_started + timedelta(seconds=4),
            "initial",
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        target_point(ctx, orders_tg, ip, 8080, az, new_healthy, "healthy")
    tg_short = f"hb-orders-api/{orders_tg.rsplit('/', 1)[1]}"
    for when, dep_tasks, old_group in (
        (prev_release + timedelta(minutes=1), old_tasks, None),
        (update_at, new_tasks, old_tasks),
    ):
        started_at = when + (new_started - update_at if old_group else timedelta(minutes=2))
        ecs_event(
            ctx,
            svc_arn,
            started_at,
            f"(service {svc_name}) has started 3 tasks: "
            + " ".join(f"(task {t[0]})" for t in dep_tasks)
            + ".",
        )
        ecs_event(
            ctx,
            svc_arn,
            started_at + timedelta(seconds=38),
            f"(service {svc_name}) registered 3 targets in (target-group {orders_tg})",
        )
        if old_group:
            ecs_event(
                ctx, svc_arn, old_drain, f"(service {svc_name}) has begun draining connections on 3 tasks."
            )
            ecs_event(
                ctx,
                svc_arn,
                old_drain + timedelta(seconds=1),
                f"(service {svc_name}) deregistered 3 targets in (target-group {orders_tg})",
            )
            ecs_event(
                ctx,
                svc_arn,
                old_stopped,
                f"(service {svc_name}) has stopped 3 running tasks: "
                + " ".join(f"(task {t[0]})" for t in old_group)
                + ".",
            )
            ecs_event(
                ctx,
                svc_arn,
                old_stopped + timedelta(seconds=48),
                f"(service {svc_name}) deployment {dep_new} deployment completed.",
            )
            ecs_event(
                ctx,
                svc_arn,
                old_stopped + timedelta(seconds=49),
                f"(service {svc_name}) has reached a steady state.",
            )
        else:
            ecs_event(
                ctx,
                svc_arn,
                started_at + timedelta(minutes=3),
                f"(service {svc_name}) deployment {dep_prev} deployment completed.",
            )
            ecs_event(
                ctx,
                svc_arn,
                started_at + timedelta(minutes=3, seconds=1),
                f"(service {svc_name}) has reached a steady state.",
            )
    for k in range(1, 6):
        t = old_stopped + timedelta(minutes=50) - timedelta(hours=6 * k)
        if start < t < now:
            ecs_event(ctx, svc_arn, t, f"(service {svc_name}) has reached a steady state.")
    _ = tg_short

    # menu-api (healthy neighbour service)
    menu_arn = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/hb-menu-api"
    menu_ips = [(ip_in(i), net.azs[i]) for i in range(2)]
    menu_tids = {ip: ids.hex(32) for ip, _ in menu_ips}
    ctx.res(
        "ecs",
        "Service",
        {
            "serviceArn": menu_arn,
            "serviceName": "hb-menu-api",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": menu_tg, "containerName": "menu-api", "containerPort": 8080}
            ],
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/hb-menu-api:{rng.randint(30, 90)}",
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [],
            "events": [],
            "createdAt": iso_ms(created_long_ago + timedelta(days=2)),
            "networkConfiguration": netcfg,
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    for ip, az in menu_ips:
        target_point(ctx, menu_tg, ip, 8080, az, start - timedelta(days=2), "healthy")

    log_group(ctx, "/ecs/hb-orders-api", created_long_ago, 30)
    log_group(ctx, "/ecs/hb-menu-api", created_long_ago, 30)
    log_group(ctx, f"/aws/rds/instance/{db_id}/postgresql", created_long_ago, 7)

    # ---- metrics -------------------------------------------------------------------------------
    fail_frac = rng.uniform(0.52, 0.66)
    base_rpm = rng.uniform(900, 1500)
    five_xx: list[tuple[datetime, float]] = []
    unhealthy: list[tuple[datetime, float]] = []
    menu_5xx: list[tuple[datetime, float]] = []
    cpu_series: list[tuple[datetime, float]] = []
    elb5: list[tuple[datetime, float]] = []
    tg_dims = {"LoadBalancer": lb_dim, "TargetGroup": orders_tg_dim}
    menu_dims = {"LoadBalancer": lb_dim, "TargetGroup": menu_tg_dim}
    lb_dims = {"LoadBalancer": lb_dim}
    for t, per in grid(start, now, fine_from):
        scale = per / 60
        shape = daily(t, peak, low=0.18, width=5.0)
        rpm = jitter(rng, base_rpm * shape, 0.05) * scale
        menu_rpm = jitter(rng, base_rpm * 1.7 * shape, 0.05) * scale
        # fraction of requests hitting the new code
        if t + timedelta(seconds=per) <= new_healthy:
            frac_new = 0.0
        elif t >= old_drain:
            frac_new = 1.0
        else:
            frac_new = 0.5
        bad = rpm * fail_frac * frac_new
        bg5 = rng.choice([0, 0, 0, 0, 1, 1, 2]) * scale
        n5 = round(bad + bg5)
        n4 = round(rpm * rng.uniform(0.012, 0.02))
        n2 = max(0, round(rpm) - n5 - n4)
        total = n2 + n4 + n5
        ctx.put("AWS/ApplicationELB", "RequestCount", tg_dims, t, total, "Count")
        ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tg_dims, t, n2, "Count")
        if n4:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tg_dims, t, n4, "Count")
        if n5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tg_dims, t, n5, "Count")
            five_xx.append((t, n5))
        ctx.put("AWS/ApplicationELB", "RequestCountPerTarget", tg_dims, t, total / 3, "Count")
        good_vals, good_counts = latency_dist(rng, max(1, n2 + n4), rng.uniform(0.038, 0.05), 0.55)
        if n5 > 10:
            ev, ec = latency_dist(rng, n5, 0.009, 0.35)
            merged: dict[float, float] = {}
            for v, c in list(zip(good_vals, good_counts, strict=True)) + list(zip(ev, ec, strict=True)):
                merged[v] = merged.get(v, 0) + c
            good_vals = sorted(merged)
            good_counts = [round(merged[v], 2) for v in good_vals]
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", tg_dims, t, good_vals, good_counts)
        in_overlap = new_started <= t + timedelta(seconds=per) and t <= old_stopped
        healthy = 6 if (new_healthy <= t + timedelta(seconds=per) and t <= old_drain) else 3
        ctx.put_stats(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            tg_dims,
            t,
            per / 60 * 6,
            healthy * per / 60 * 6,
            3,
            healthy,
            "Count",
        )
        ctx.put_stats("AWS/ApplicationELB", "UnHealthyHostCount", tg_dims, t, per / 60 * 6, 0, 0, 0, "Count")
        unhealthy.append((t, 0.0))
        _ = in_overlap
        # menu-api
        m4 = round(menu_rpm * rng.uniform(0.004, 0.009))
        m5 = rng.choice([0, 0, 0, 0, 0, 1]) * round(scale)
        ctx.put("AWS/ApplicationELB", "RequestCount", menu_dims, t, round(menu_rpm), "Count")
        ctx.put(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            menu_dims,
            t,
            round(menu_rpm) - m4 - m5,
            "Count",
        )
        if m4:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", menu_dims, t, m4, "Count")
        if m5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", menu_dims, t, m5, "Count")
            menu_5xx.append((t, m5))
        mv, mc = latency_dist(rng, max(1, round(menu_rpm)), rng.uniform(0.018, 0.026), 0.5)
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", menu_dims, t, mv, mc)
        ctx.put_stats(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            menu_dims,
            t,
            per / 60 * 6,
            2 * per / 60 * 6,
            2,
            2,
            "Count",
        )
        # load balancer level
        ctx.put("AWS/ApplicationELB", "RequestCount", lb_dims, t, total + round(menu_rpm), "Count")
        ctx.put(
            "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lb_dims, t, n5 + m5, "Count"
        ) if n5 + m5 else None
        ctx.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            lb_dims,
            t,
            round(jitter(rng, 140 * shape, 0.08) * scale),
            "Count",
        )
        ctx.put(
            "AWS/ApplicationELB",
            "NewConnectionCount",
            lb_dims,
            t,
            round(jitter(rng, 260 * shape, 0.08) * scale),
            "Count",
        )
        ctx.put(
            "AWS/ApplicationELB",
            "ProcessedBytes",
            lb_dims,
            t,
            round(jitter(rng, 2.6e6 * shape, 0.08) * scale),
            "Bytes",
        )
        if rng.random() < 0.03:
            ctx.put("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lb_dims, t, 1, "Count")
            elb5.append((t, 1))
        # ECS service utilisation (Average across tasks; during the overlap six tasks report)
        cpu = jitter(rng, 9 + 26 * shape, 0.06) * (0.7 if frac_new == 1.0 else 1.0)
        cpu_samples = 6 if in_overlap else 3
        ctx.put_stats(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc_name},
            t,
            cpu_samples * scale,
            cpu * cpu_samples * scale,
            cpu * 0.8,
            cpu * 1.2,
            "Percent",
        )
        mem = jitter(rng, 31 if t < new_started else 27, 0.02)
        ctx.put_stats(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": svc_name},
            t,
            cpu_samples * scale,
            mem * cpu_samples * scale,
            mem * 0.95,
            mem * 1.05,
            "Percent",
        )
        mcpu = jitter(rng, 6 + 20 * shape, 0.06)
        ctx.put_stats(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": "hb-menu-api"},
            t,
            2 * scale,
            mcpu * 2 * scale,
            mcpu * 0.8,
            mcpu * 1.2,
            "Percent",
        )
        ctx.put_stats(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": cluster, "ServiceName": "hb-menu-api"},
            t,
            2 * scale,
            44 * 2 * scale,
            43,
            45,
            "Percent",
        )
        # RDS
        ok_share = 1 - fail_frac * frac_new
        dbcpu = jitter(rng, 7 + 30 * shape * (0.45 + 0.55 * ok_share), 0.05)
        cpu_series.append((t, dbcpu))
        rd = {"DBInstanceIdentifier": db_id}
        ctx.put("AWS/RDS", "CPUUtilization", rd, t, dbcpu, "Percent")
        ctx.put(
            "AWS/RDS",
            "DatabaseConnections",
            rd,
            t,
            round(jitter(rng, 38 + 10 * shape, 0.04)) + (20 if in_overlap else 0),
            "Count",
        )
        ctx.put("AWS/RDS", "ReadIOPS", rd, t, jitter(rng, 40 + 260 * shape * ok_share, 0.1), "Count/Second")
        ctx.put("AWS/RDS", "WriteIOPS", rd, t, jitter(rng, 60 + 180 * shape * ok_share, 0.1), "Count/Second")
        ctx.put("AWS/RDS", "ReadLatency", rd, t, jitter(rng, 0.0009, 0.1), "Seconds")
        ctx.put("AWS/RDS", "WriteLatency", rd, t, jitter(rng, 0.0014, 0.1), "Seconds")
        ctx.put("AWS/RDS", "FreeableMemory", rd, t, jitter(rng, 9.1e9, 0.005), "Bytes")

    # ---- alarms --------------------------------------------------------------------------------
    pager = f"arn:aws:sns:{region}:{acct}:hb-oncall-pager"
    alarm_created = day - timedelta(days=rng.randint(90, 300))
    spec_5xx = AlarmSpec(
        "hb-orders-api-target-5xx",
        "orders-api returning 5xx to the ALB (>= 20/min for 3 min)",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tg_dims,
        "Sum",
        60,
        3,
        3,
        20.0,
        "GreaterThanOrEqualToThreshold",
        actions=[pager],
    )
    _, last = evaluate_alarm(ctx, spec_5xx, aggregate(five_xx, 60), alarm_created, now, eval_from=fine_from)
    for spec, series in (
        (
            AlarmSpec(
                "hb-menu-api-target-5xx",
                "menu-api returning 5xx",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                menu_dims,
                "Sum",
                60,
                3,
                3,
                20.0,
                "GreaterThanOrEqualToThreshold",
                actions=[pager],
            ),
            aggregate(menu_5xx, 60),
        ),
        (
            AlarmSpec(
                "hb-orders-api-unhealthy-hosts",
                "orders-api targets failing health checks",
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                tg_dims,
                "Maximum",
                60,
                2,
                2,
                1.0,
                "GreaterThanOrEqualToThreshold",
                actions=[pager],
            ),
            aggregate(unhealthy, 60, "Maximum"),
        ),
        (
            AlarmSpec(
                "hb-orders-pg-cpu-high",
                "orders DB CPU above 80% for 10 minutes",
                "AWS/RDS",
                "CPUUtilization",
                {"DBInstanceIdentifier": db_id},
                "Average",
                300,
                2,
                2,
                80.0,
                "GreaterThanThreshold",
                actions=[pager],
            ),
            aggregate(cpu_series, 300, "Average"),
        ),
        (
            AlarmSpec(
                "hb-public-elb-5xx",
                "hb-public ALB generated 5xx",
                "AWS/ApplicationELB",
                "HTTPCode_ELB_5XX_Count",
                lb_dims,
                "Sum",
                300,
                1,
                1,
                25.0,
                "GreaterThanOrEqualToThreshold",
                actions=[pager],
            ),
            aggregate(elb5, 300),
        ),
    ):
        evaluate_alarm(
            ctx, spec, series, alarm_created + timedelta(days=rng.randint(1, 30)), now, eval_from=fine_from
        )
    assert last is not None

    # ---- logs ----------------------------------------------------------------------------------
    def pino(t: datetime, host: str, level: int, msg: str, **kw: object) -> str:
        rec: Json = {"level": level, "time": epoch_ms(t), "pid": 1, "hostname": host}
        rec.update(kw)
        rec["msg"] = msg
        return json.dumps(rec, separators=(",", ":"))

    def host_of(ip: str) -> str:
        return f"ip-{ip.replace('.', '-')}.{region}.compute.internal"

    routes_ok = [
        ("GET", "/v1/orders/{id}"),
        ("GET", "/v1/customers/{cid}/orders"),
        ("POST", "/v1/orders"),
        ("GET", "/v1/delivery-slots"),
        ("GET", "/v1/orders/{id}/tracking"),
        ("PATCH", "/v1/orders/{id}/items"),
    ]
    orders_touch = {"/v1/orders/{id}", "/v1/customers/{cid}/orders", "/v1/orders", "/v1/orders/{id}/items"}

    def fill(path: str) -> str:
        return path.replace("{id}", f"ord_{ids.upper(14, 'abcdefghijklmnopqrstuvwxyz0123456789')}").replace(
            "{cid}", f"cus_{ids.upper(12, 'abcdefghijklmnopqrstuvwxyz0123456789')}"
        )

    def startup(tid: str, ip: str, t: datetime, ver: str, commit: str) -> None:
        stream = f"orders-api/orders-api/{tid}"
        h = host_of(ip)
        ctx.log(
            "/ecs/hb-orders-api",
            stream,
            t,
            pino(t, h, 30, "orders-api starting", version=ver, commit=commit, node="v20.15.1"),
        )
        ctx.log(
            "/ecs/hb-orders-api",
            stream,
            t + timedelta(milliseconds=412),
            pino(
                t + timedelta(milliseconds=412),
                h,
                30,
                "pg pool ready",
                pgHost=db_host,
                database="orders",
                max=20,
            ),
        )
        ctx.log(
            "/ecs/hb-orders-api",
            stream,
            t + timedelta(milliseconds=620),
            pino(t + timedelta(milliseconds=620), h, 30, "Server listening at http://0.0.0.0:8080"),
        )

    for tid, ip, _az in old_tasks:
        startup(tid, ip, prev_new_start - timedelta(seconds=rng.randint(3, 8)), old_ver, old_commit)
    for tid, ip, _az in new_tasks:
        startup(tid, ip, new_started + timedelta(seconds=rng.randint(1, 4)), rc_ver, rc_commit)

    missing_col = rng.choice(["delivery_window_id", "substitution_policy", "fulfilment_centre_id"])
    t = minute(start) + timedelta(minutes=rng.randint(0, 4))
    while t < now:
        live = [(tid, ip) for tid, ip, _ in (new_tasks if t >= old_drain else old_tasks)]
        if t < old_stopped and t >= new_healthy:
            live = [(tid, ip) for tid, ip, _ in old_tasks + new_tasks]
        new_ids = {x[0] for x in new_tasks}
        step = timedelta(seconds=rng.randint(20, 60) if t >= fine_from else rng.randint(240, 480))
        tid, ip = rng.choice(live)
        stream = f"orders-api/orders-api/{tid}"
        h = host_of(ip)
        method, path = rng.choice(routes_ok)
        url = fill(path)
        rid = f"req-{ids.hex(6)}"
        is_new = tid in new_ids and t >= new_healthy
        if is_new and path in orders_touch and rng.random() < 0.92:
            # one or two failing requests
            for _ in range(rng.randint(1, 3)):
                tt = t + timedelta(milliseconds=rng.randint(0, 15000))
                char = rng.randint(60, 140)
                ctx.log(
                    "/ecs/hb-orders-api",
                    stream,
                    tt,
                    pino(
                        tt,
                        h,
                        50,
                        "unhandled error",
                        reqId=rid,
                        req={"method": method, "url": url},
                        err={
                            "type": "DatabaseError",
                            "message": f"column o.{missing_col} does not exist",
                            "stack": f"error: column o.{missing_col} does not exist\n    at /app/node_modules/pg/lib/client.js:545:17\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async OrderRepository.{'findById' if 'id' in path else 'list'} (/app/dist/repositories/orderRepository.js:{rng.randint(38, 90)}:22)\n    at async Object.<anonymous> (/app/dist/routes/orders.js:{rng.randint(20, 70)}:19)",
                            "length": 118,
                            "name": "error",
                            "severity": "ERROR",
                            "code": "42703",
                            "position": str(char),
                            "file": "parse_relation.c",
                            "line": "3665",
                            "routine": "errorMissingColumn",
                        },
                    ),
                )
                ctx.log(
                    "/ecs/hb-orders-api",
                    stream,
                    tt + timedelta(milliseconds=2),
                    pino(
                        tt + timedelta(milliseconds=2),
                        h,
                        30,
                        "request completed",
                        reqId=rid,
                        res={"statusCode": 500},
                        responseTime=round(rng.uniform(4, 14), 3),
                    ),
                )
                rid = f"req-{ids.hex(6)}"
                method, path = rng.choice([r for r in routes_ok if r[1] in orders_touch])
                url = fill(path)
        else:
            roll = rng.random()
            if roll < 0.05:
                ctx.log(
                    "/ecs/hb-orders-api",
                    stream,
                    t,
                    pino(
                        t,
                        h,
                        40,
                        "menu-api lookup slow",
                        reqId=rid,
                        sku=f"HB-{rng.randint(1000, 9999)}",
                        elapsedMs=rng.randint(800, 1900),
                    ),
                )
            elif roll < 0.09:
                ctx.log(
                    "/ecs/hb-orders-api",
                    stream,
                    t,
                    pino(
                        t,
                        h,
                        40,
                        "delivery slot no longer available",
                        reqId=rid,
                        slot=f"{(t + timedelta(days=2)).date()}T18:00",
                        postcode_area=rng.choice(["M", "LS", "BS", "EH", "N", "SE"]),
                    ),
                )
                ctx.log(
                    "/ecs/hb-orders-api",
                    stream,
                    t + timedelta(milliseconds=3),
                    pino(
                        t + timedelta(milliseconds=3),
                        h,
                        30,
                        "request completed",
                        reqId=rid,
                        res={"statusCode": 409},
                        responseTime=round(rng.uniform(15, 40), 3),
                    ),
                )
            else:
                ctx.log(
                    "/ecs/hb-orders-api",
                    stream,
                    t,
                    pino(
                        t,
                        h,
                        30,
                        "incoming request",
                        reqId=rid,
                        req={"method": method, "url": url, "remoteAddress": ids.ip(False)},
                    ),
                )
                ctx.log(
                    "/ecs/hb-orders-api",
                    stream,
                    t + timedelta(milliseconds=40),
                    pino(
                        t + timedelta(milliseconds=40),
                        h,
                        30,
                        "request completed",
                        reqId=rid,
                        res={"statusCode": 201 if method == "POST" else 200},
                        responseTime=round(rng.uniform(12, 90), 3),
                    ),
                )
        t += step

    # menu-api logs (a different runtime: Go, logfmt-ish JSON)
    t = minute(start)
    while t < now:
        ip, _ = rng.choice(menu_ips)
        lvl = "warn" if rng.random() < 0.05 else "info"
        msg = "cache refresh took longer than expected" if lvl == "warn" else "menu cache refreshed"
        ctx.log(
            "/ecs/hb-menu-api",
            f"menu-api/menu-api/{menu_tids[ip]}",
            t,
            json.dumps(
                {
                    "level": lvl,
                    "ts": iso_ms(t),
                    "caller": "cache/refresh.go:88",
                    "msg": msg,
                    "items": rng.randint(380, 420),
                    "week": f"{t.isocalendar()[0]}-W{t.isocalendar()[1]:02d}",
                },
                separators=(",", ":"),
            ),
        )
        t += timedelta(minutes=rng.randint(10, 20))

    # postgres log (exported to CloudWatch Logs)
    pg_group = f"/aws/rds/instance/{db_id}/postgresql"
    pg_stream = db_id
    pg_lines: list[tuple[datetime, str]] = []
    t = minute(start)
    pid = rng.randint(20000, 30000)
    while t < now:
        step = timedelta(minutes=rng.randint(4, 6))
        pg_lines.append(
            (t, f"{t:%Y-%m-%d %H:%M:%S} UTC::@:[{rng.randint(500, 600)}]:LOG:  checkpoint starting: time")
        )
        pg_lines.append(
            (
                t + timedelta(seconds=27),
                f"{t + timedelta(seconds=27):%Y-%m-%d %H:%M:%S} UTC::@:[{rng.randint(500, 600)}]:LOG:  checkpoint complete: wrote {rng.randint(300, 2600)} buffers ({rng.uniform(0.1, 1.5):.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(0, 2)} recycled; write={rng.uniform(20, 27):.3f} s, sync=0.0{rng.randint(1, 9)}{rng.randint(0, 9)} s, total={rng.uniform(27, 28):.3f} s; sync files={rng.randint(30, 90)}, longest=0.0{rng.randint(1, 9)}{rng.randint(0, 9)} s, average=0.001 s; distance={rng.randint(8000, 40000)} kB, estimate={rng.randint(30000, 42000)} kB",
            )
        )
        if rng.random() < 0.08:
            tt = t + timedelta(seconds=rng.randint(30, 200))
            pg_lines.append(
                (
                    tt,
                    f"{tt:%Y-%m-%d %H:%M:%S} UTC:{ids.ip(False)}({rng.randint(30000, 60000)}):orders_app@orders:[{pid + rng.randint(0, 900)}]:LOG:  duration: {rng.randint(1000, 2400)}.{rng.randint(100, 999)} ms  statement: SELECT s.* FROM delivery_slots s WHERE s.region_code = $1 AND s.starts_at >= $2 ORDER BY s.starts_at LIMIT 200",
                )
            )
        t += step
    t = new_healthy
    while t < now:
        tid, ip, _ = rng.choice(new_tasks)
        p = pid + rng.randint(900, 2000)
        pos = rng.randint(60, 140)
        pg_lines.append(
            (
                t,
                f"{t:%Y-%m-%d %H:%M:%S} UTC:{ip}({rng.randint(30000, 60000)}):orders_app@orders:[{p}]:ERROR:  column o.{missing_col} does not exist at character {pos}",
            )
        )
        pg_lines.append(
            (
                t,
                f"{t:%Y-%m-%d %H:%M:%S} UTC:{ip}({rng.randint(30000, 60000)}):orders_app@orders:[{p}]:STATEMENT:  SELECT o.id, o.customer_id, o.status, o.total_pence, o.{missing_col}, o.created_at FROM orders o WHERE o.id = $1",
            )
        )
        t += timedelta(seconds=rng.randint(4, 25))
    pg_lines.sort(key=lambda x: x[0])
    for tt, line in pg_lines:
        ctx.log(pg_group, pg_stream, tt, line)
    hour_start = minute(now).replace(minute=0)
    ctx.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": db_id,
            "LogFileName": f"error/postgresql.log.{hour_start:%Y-%m-%d-%H}",
            "LastWritten": epoch_ms(pg_lines[-1][0]),
            "Size": sum(len(x[1]) + 1 for x in pg_lines if x[0] >= hour_start),
            "Data": "\n".join(x[1] for x in pg_lines if x[0] >= hour_start) + "\n",
        },
    )

    # ---- CloudTrail ----------------------------------------------------------------------------
    gh_ip = rng.choice(GITHUB_IPS)

    oidc_sub = "repo:harvestbox/orders-api:ref:refs/heads/main"

    def web_identity(when: datetime, role_name: str, sub: str) -> None:
        ctx.ct(
            when,
            Actor(
                {
                    "type": "WebIdentityUser",
                    "principalId": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:{sub}",
                    "userName": sub,
                    "identityProvider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
                },
                gh_ip,
                "aws-sdk-nodejs/2.1664.0 linux/v20.13.1 configure-aws-credentials-for-github-actions promise",
            ),
            "sts.amazonaws.com",
            "AssumeRoleWithWebIdentity",
            {
                "roleArn": f"arn:aws:iam::{acct}:role/{role_name}",
                "roleSessionName": "GitHubActions",
                "durationSeconds": 3600,
            },
            {
                "credentials": {
                    "accessKeyId": ids.access_key(),
                    "sessionToken": "IQoJb3JpZ2luX2Vj"
                    + ids.upper(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
                    "expiration": (when + timedelta(hours=1)).strftime("%b %d, %Y, %I:%M:%S %p"),
                },
                "subjectFromWebIdentityToken": sub,
                "assumedRoleUser": {
                    "assumedRoleId": f"{ids.role_id()}:GitHubActions",
                    "arn": f"arn:aws:sts::{acct}:assumed-role/{role_name}/GitHubActions",
                },
                "provider": f"arn:aws:iam::{acct}:oidc-provider/token.actions.githubusercontent.com",
                "audience": "sts.amazonaws.com",
            },
            read_only=True,
        )

    manifests: dict[str, str] = {}

    def manifest_text(digest: str) -> str:
        if digest not in manifests:
            layers = [
                {
                    "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                    "size": rng.randrange(400, 30_000_000),
                    "digest": ids.digest(),
                }
                for _ in range(rng.randint(6, 9))
            ]
            doc = {
                "schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {
                    "mediaType": "application/vnd.docker.container.image.v1+json",
                    "size": rng.randrange(6000, 9000),
                    "digest": ids.digest(),
                },
                "layers": layers,
            }
            manifests[digest] = json.dumps(doc, indent=3)
        return manifests[digest]

    def push(when: datetime, digest: str, tags: list[str], sub: str) -> None:
        web_identity(when, "github-actions-ecr-push", sub)
        pusher = ctx.role("github-actions-ecr-push", "GitHubActions", when, gh_ip, UA_DOCKER)
        ctx.ct(
            when + timedelta(seconds=2),
            pusher,
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            {"registryIds": [acct]},
            None,
            read_only=True,
        )
        ctx.ct(
            when + timedelta(seconds=5),
            pusher,
            "ecr.amazonaws.com",
            "InitiateLayerUpload",
            {"registryId": acct, "repositoryName": repo},
            {"uploadId": ids.uuid(), "partSize": 10485760},
        )
        ctx.ct(
            when + timedelta(seconds=19),
            pusher,
            "ecr.amazonaws.com",
            "CompleteLayerUpload",
            {
                "registryId": acct,
                "repositoryName": repo,
                "uploadId": ids.uuid(),
                "layerDigests": [ids.digest()],
            },
            {"registryId": acct, "repositoryName": repo, "uploadId": ids.uuid(), "layerDigest": ids.digest()},
        )
        for k, tag in enumerate(tags):
            ctx.ct(
                when + timedelta(seconds=24 + 2 * k),
                pusher,
                "ecr.amazonaws.com",
                "PutImage",
                {
                    "repositoryName": repo,
                    "imageTag": tag,
                    "registryId": acct,
                    "imageManifest": manifest_text(digest),
                    "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                },
                {
                    "image": {
                        "registryId": acct,
                        "repositoryName": repo,
                        "imageId": {"imageDigest": digest, "imageTag": tag},
                        "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    }
                },
                resources=[{"accountId": acct, "ARN": f"arn:aws:ecr:{region}:{acct}:repository/{repo}"}],
            )

    # yesterday's release: push, then force a new deployment
    push(
        prev_release - timedelta(minutes=4),
        old_digest,
        [old_ver, old_commit, "release"],
        "repo:harvestbox/orders-api:ref:refs/tags/v" + old_ver,
    )
    web_identity(
        prev_release - timedelta(seconds=50),
        "github-actions-ecs-deploy",
        "repo:harvestbox/orders-api:environment:production",
    )
    deployer = ctx.role(
        "github-actions-ecs-deploy", "GitHubActions", prev_release, gh_ip, gha_ua("ecs.update-service")
    )
    ctx.ct(
        prev_release,
        deployer,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": svc_name, "forceNewDeployment": True},
        {
            "service": {
                "serviceName": svc_name,
                "serviceArn": svc_arn,
                "taskDefinition": td_arns[rev],
                "desiredCount": 3,
            }
        },
    )
    for k in range(3):
        ctx.ct(
            prev_release + timedelta(seconds=30 + 60 * k),
            deployer,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [svc_name]},
            None,
            read_only=True,
        )

    # today's push from the release-candidate job
    push(
        rc_push,
        rc_digest,
        [rc_ver, rc_commit, "release"],
        "repo:harvestbox/orders-api:ref:refs/heads/release/" + rc_ver.rsplit("-", 1)[0],
    )
    _ = oidc_sub

    # the engineer's configuration change and redeploy
    ctx.ct(
        register_at - timedelta(minutes=3),
        eng,
        "ecs.amazonaws.com",
        "DescribeTaskDefinition",
        {"taskDefinition": "hb-orders-api"},
        None,
        read_only=True,
    )
    ctx.ct(
        register_at,
        eng,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "hb-orders-api",
            "taskRoleArn": task_role,
            "executionRoleArn": exec_role,
            "networkMode": "awsvpc",
            "containerDefinitions": [container_def(keep_new)],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arns[rev + 1],
                "family": "hb-orders-api",
                "revision": rev + 1,
                "status": "ACTIVE",
                "cpu": "512",
                "memory": "1024",
            }
        },
    )
    ctx.ct(
        update_at,
        eng,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": svc_name, "taskDefinition": f"hb-orders-api:{rev + 1}"},
        {
            "service": {
                "serviceName": svc_name,
                "serviceArn": svc_arn,
                "taskDefinition": td_arns[rev + 1],
                "desiredCount": 3,
            }
        },
    )
    for k in range(4):
        ctx.ct(
            update_at + timedelta(seconds=40 + 45 * k),
            eng,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [svc_name]},
            None,
            read_only=True,
        )

    # ECS acting for the new tasks
    ecs_slr = ctx.slr("AWSServiceRoleForECS", "ecs-service-scheduler", "ecs.amazonaws.com", update_at)
    exec_actor = ctx.role(
        "hb-ecs-task-execution",
        ids.hex(32),
        new_started,
        "ecs-tasks.amazonaws.com",
        "ecs-tasks.amazonaws.com",
    )
    exec_actor.identity["invokedBy"] = "ecs-tasks.amazonaws.com"
    for _tid, ip, az in new_tasks:
        ctx.ct(
            new_started - timedelta(seconds=50),
            ecs_slr,
            "ec2.amazonaws.com",
            "CreateNetworkInterface",
            {
                "subnetId": net.private[[x[2] for x in new_tasks].index(az)],
                "description": f"arn:aws:ecs:{region}:{acct}:attachment/{ids.uuid()}",
                "groupSet": {"items": [{"groupId": svc_sg}]},
            },
            {
                "networkInterface": {
                    "networkInterfaceId": ids.ec2("eni"),
                    "privateIpAddress": ip,
                    "availabilityZone": az,
                }
            },
        )
        ctx.ct(
            new_started - timedelta(seconds=31),
            exec_actor,
            "ecr.amazonaws.com",
            "GetAuthorizationToken",
            {"registryIds": [acct]},
            None,
            read_only=True,
        )
        ctx.ct(
            new_started - timedelta(seconds=29),
            exec_actor,
            "ecr.amazonaws.com",
            "BatchGetImage",
            {
                "repositoryName": repo,
                "registryId": acct,
                "imageIds": [{"imageDigest": rc_digest}],
                "acceptedMediaTypes": [
                    "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.oci.image.manifest.v1+json",
                ],
            },
            None,
            read_only=True,
        )
        ctx.ct(
            new_started - timedelta(seconds=12),
            exec_actor,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": f"arn:aws:secretsmanager:{region}:{acct}:secret:prod/orders-api/db-AbC1x2"},
            None,
            read_only=True,
        )
    ctx.ct(
        new_healthy - timedelta(seconds=35),
        ecs_slr,
        "elasticloadbalancing.amazonaws.com",
        "RegisterTargets",
        {"targetGroupArn": orders_tg, "targets": [{"id": ip, "port": 8080} for _, ip, _ in new_tasks]},
        None,
    )
    ctx.ct(
        old_drain,
        ecs_slr,
        "elasticloadbalancing.amazonaws.com",
        "DeregisterTargets",
        {"targetGroupArn": orders_tg, "targets": [{"id": ip, "port": 8080} for _, ip, _ in old_tasks]},
        None,
    )

    # innocent changes near the onset
    tf = ctx.role(
        "terraform-apply",
        "atlantis-" + ids.hex(8),
        onset - timedelta(minutes=30),
        ids.ip(),
        tf_ua("application-auto-scaling", "1.29.0"),
    )
    ctx.ct(
        onset - timedelta(minutes=rng.randint(14, 22)),
        tf,
        "autoscaling.amazonaws.com",
        "PutScalingPolicy",
        {
            "policyName": "hb-menu-api-cpu",
            "serviceNamespace": "ecs",
            "resourceId": f"service/{cluster}/hb-menu-api",
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
            "policyARN": f"arn:aws:autoscaling:{region}:{acct}:scalingPolicy:{ids.uuid()}:resource/ecs/service/{cluster}/hb-menu-api:policyName/hb-menu-api-cpu",
            "alarms": [],
        },
    )
    ops_user = rng.choice(["a.nowak", "t.brennan", "k.osei"]) + "@harvestbox.co.uk"
    ops = ctx.sso(ops_user, "Operations", onset - timedelta(hours=1), console=True)
    ctx.ct(
        onset + timedelta(minutes=rng.randint(6, 12)),
        ops,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/ecs/hb-menu-api", "retentionInDays": 30},
        None,
    )
    contractor = f"{ids.ip()}/32"
    ctx.ct(
        onset - timedelta(minutes=rng.randint(5, 9)),
        ops,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": bastion_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": contractor, "description": "contractor laptop"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": ids.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct,
                        "groupId": bastion_sg,
                        "securityGroupRuleId": ids.ec2("sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": contractor,
                        "description": "contractor laptop",
                    }
                ]
            },
        },
    )

    # routine read-only traffic
    graf = ctx.role("grafana-cloudwatch-read", "grafana", start, ids.ip(), UA_GRAFANA)
    t = start + timedelta(minutes=rng.randint(10, 40))
    while t < now:
        ctx.ct(
            t,
            graf,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": iso(t - timedelta(hours=3)), "endTime": iso(t), "maxDatapoints": 1000},
            None,
            read_only=True,
        )
        t += timedelta(minutes=rng.randint(35, 90))
    rdsmon = ctx.slr("AWSServiceRoleForRDS", "rds-monitoring", "rds.amazonaws.com", start)
    for k in range(4):
        ctx.ct(
            start + timedelta(hours=5 * k + rng.random()),
            rdsmon,
            "ec2.amazonaws.com",
            "DescribeNetworkInterfaces",
            {
                "networkInterfaceIdSet": {},
                "filterSet": {"items": [{"name": "group-id", "valueSet": {"items": [{"value": db_sg}]}}]},
            },
            None,
            read_only=True,
        )
    ctx.ct(
        onset - timedelta(minutes=rng.randint(40, 70)),
        ops,
        "ecs.amazonaws.com",
        "ListServices",
        {"cluster": cluster},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(3, 8)),
        ops,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": orders_tg},
        None,
        read_only=True,
    )
    ctx.ct(
        onset + timedelta(minutes=rng.randint(8, 14)),
        eng,
        "ecs.amazonaws.com",
        "DescribeTasks",
        {"cluster": cluster, "tasks": [x[0] for x in new_tasks]},
        None,
        read_only=True,
    )
    ctx.ct(
        onset - timedelta(hours=rng.randint(5, 9)),
        ops,
        "signin.amazonaws.com".replace("signin", "sts"),
        "GetCallerIdentity",
        None,
        None,
        read_only=True,
    )
    ctx.trail.sort(key=lambda r: r["eventTime"])
    ctx.trail[:] = [r for r in ctx.trail if r["eventTime"] <= iso(now)]

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": alarm_event(ctx, spec_5xx, last)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": f"arn:aws:ecr:{region}:{acct}:repository/{repo}",
                    "category": "change",
                    "failure_mode": "mutable-image-tag-moved",
                    "event_id": next(
                        r["eventID"]
                        for r in ctx.trail
                        if r["eventName"] == "PutImage"
                        and r["requestParameters"]["imageTag"] == "release"
                        and r["eventTime"]
                        == max(
                            x["eventTime"]
                            for x in ctx.trail
                            if x["eventName"] == "PutImage"
                            and x["requestParameters"]["imageTag"] == "release"
                        )
                    ),
                },
                "also_accept": [repo, repo_uri, f"{repo_uri}:release", rc_digest],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"ECR {repo}: tag 'release' moved to the {rc_ver} image ({rc_digest[:19]}...) by the release-candidate CI job",
                    f"the env-only redeploy of {svc_name} (task definition :{rev + 1}) resolved 'release' to that digest",
                    f"the new code selects orders.{missing_col}, which {db_id} does not have yet (SQLSTATE 42703)",
                    f"{svc_name} returns 500 on order endpoints; hb-orders-api-target-5xx alarm on hb-public",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": ctx.metrics,
            "alarms": ctx.alarms,
            "alarm_history": ctx.history,
            "logs": ctx.logs,
            "cloudtrail": ctx.trail,
            "resources": ctx.resources,
            "events": ctx.events,
        },
    )


_ = epoch_ms
