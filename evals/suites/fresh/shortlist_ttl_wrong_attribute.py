"""Saved homes vanishing from customers' shortlists, with nothing erroring."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_y import (
    UA_CLI,
    UA_CONSOLE,
    UA_TERRAFORM,
    Json,
    Kit,
    diurnal,
    ecs_event,
    github_ip,
    iam_role,
    iso,
    iso_ms,
    lambda_function,
    lambda_report,
    lambda_stream,
    load_balancer,
    log_group,
    ms,
    office_ip,
    oidc_assume,
    private_ip,
    security_group,
    service_assume,
    sg_rule_from_cidr,
    sg_rule_from_sg,
    target_group,
    target_health,
    ticks,
)

NAME = "shortlist-ttl-wrong-attribute"
TITLE = "Homes disappearing from customers' saved shortlists since lunchtime"
SUMMARY = (
    "A Terraform apply enabled DynamoDB TTL on shortlist-items keyed on each item's last-updated epoch; "
    "TTL began deleting saved listings an hour later while a small shortlist-api deploy landed nearby."
)

TZ = ZoneInfo("Europe/London")


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "eu-west-2")
    rng = kit.rng
    day = datetime(2024, 6, 3, tzinfo=UTC) + timedelta(days=rng.randrange(0, 100))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    change_at = day + timedelta(hours=10, minutes=rng.randint(25, 70), seconds=rng.randint(0, 59))
    onset = change_at + timedelta(minutes=rng.randint(40, 62), seconds=rng.randint(0, 59))
    deploy_at = onset - timedelta(minutes=rng.randint(11, 18), seconds=rng.randint(0, 59))
    now = onset + timedelta(minutes=rng.randint(100, 125))
    start = onset - timedelta(hours=7)
    fine_from = onset - timedelta(hours=3, minutes=10)
    offset = 1.0  # BST
    tks = ticks(start, now, fine_from)

    acct = kit.account
    vpc = kit.rid("vpc")
    azs = [f"{kit.region}a", f"{kit.region}b", f"{kit.region}c"]
    subnets_pub = [(kit.rid("subnet"), az) for az in azs]
    subnets_app = [(kit.rid("subnet"), az) for az in azs]
    alb_sg, app_sg, bastion_sg, lambda_sg = kit.rid("sg"), kit.rid("sg"), kit.rid("sg"), kit.rid("sg")
    created = day - timedelta(days=rng.randint(400, 900))

    # ---- resources ----------------------------------------------------------------------------
    items_table = "shortlist-items"
    guest_table = "shortlist-guest"
    items_arn = kit.arn("dynamodb", f"table/{items_table}")
    guest_arn = kit.arn("dynamodb", f"table/{guest_table}")
    stream_label = (day - timedelta(days=rng.randint(200, 380))).strftime(
        "%Y-%m-%dT%H:%M:%S."
    ) + f"{rng.randint(0, 999):03d}"
    stream_arn = f"{items_arn}/stream/{stream_label}"
    item_count = rng.randint(8_200_000, 11_800_000)
    kit.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "userId", "AttributeType": "S"},
                {"AttributeName": "listingId", "AttributeType": "S"},
            ],
            "TableName": items_table,
            "KeySchema": [
                {"AttributeName": "userId", "KeyType": "HASH"},
                {"AttributeName": "listingId", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created + timedelta(days=3)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": item_count * rng.randint(380, 460),
            "ItemCount": item_count,
            "TableArn": items_arn,
            "TableId": kit.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created + timedelta(days=40)),
            },
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "listingId-userId-index",
                    "KeySchema": [
                        {"AttributeName": "listingId", "KeyType": "HASH"},
                        {"AttributeName": "userId", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "IndexSizeBytes": item_count * 61,
                    "ItemCount": item_count,
                    "IndexArn": f"{items_arn}/index/listingId-userId-index",
                }
            ],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            "LatestStreamLabel": stream_label,
            "LatestStreamArn": stream_arn,
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": kit.arn("kms", f"key/{kit.uuid()}"),
            },
            "TableClassSummary": {"TableClass": "STANDARD"},
            "DeletionProtectionEnabled": True,
        },
    )
    guest_count = rng.randint(300_000, 700_000)
    kit.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "guestId", "AttributeType": "S"},
                {"AttributeName": "listingId", "AttributeType": "S"},
            ],
            "TableName": guest_table,
            "KeySchema": [
                {"AttributeName": "guestId", "KeyType": "HASH"},
                {"AttributeName": "listingId", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created + timedelta(days=220)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": guest_count * 210,
            "ItemCount": guest_count,
            "TableArn": guest_arn,
            "TableId": kit.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created + timedelta(days=220)),
            },
            "TableClassSummary": {"TableClass": "STANDARD"},
            "DeletionProtectionEnabled": False,
        },
    )

    cluster = "hf-prod"
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    kit.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": rng.randint(38, 52),
            "pendingTasksCount": 0,
            "activeServicesCount": rng.randint(14, 19),
            "statistics": [],
            "tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "platform"}],
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1, "base": 0}],
        },
    )
    alb_suffix, tg_suffix = kit.hex(16), kit.hex(16)
    lb = load_balancer(kit, "hf-public-alb", alb_suffix, vpc, subnets_pub, [alb_sg], created)
    tg = target_group(kit, "shortlist-api", tg_suffix, vpc, 8080, "/healthz", lb["LoadBalancerArn"])
    lb_dim = f"app/hf-public-alb/{alb_suffix}"
    tg_dim = f"targetgroup/shortlist-api/{tg_suffix}"

    task_role = iam_role(
        kit,
        "shortlist-api-task",
        "ecs-tasks.amazonaws.com",
        created,
        now - timedelta(minutes=2),
        "shortlist-api task role",
    )
    kit.resource(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "shortlist-api-task",
            "PolicyName": "shortlist-dynamodb",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "dynamodb:GetItem",
                            "dynamodb:Query",
                            "dynamodb:PutItem",
                            "dynamodb:UpdateItem",
                            "dynamodb:DeleteItem",
                            "dynamodb:BatchGetItem",
                        ],
                        "Resource": [items_arn, f"{items_arn}/index/*", guest_arn],
                    }
                ],
            },
        },
    )
    fn_role = iam_role(
        kit,
        "shortlist-alerts-stream",
        "lambda.amazonaws.com",
        created + timedelta(days=120),
        now - timedelta(minutes=1),
        "Price-drop alert subscriptions from the shortlist stream",
    )
    fn = lambda_function(
        kit,
        "shortlist-alerts-stream",
        "nodejs20.x",
        "dist/stream.handler",
        fn_role["Arn"],
        512,
        60,
        day - timedelta(days=rng.randint(9, 30), hours=rng.randint(1, 8)),
        {
            "ALERTS_API_URL": "https://alerts.internal.homefinder.co.uk",
            "NODE_OPTIONS": "--enable-source-maps",
        },
        "Keeps price-drop alert subscriptions in step with saved listings",
        vpc={"SubnetIds": [s for s, _ in subnets_app], "SecurityGroupIds": [lambda_sg], "VpcId": vpc},
    )
    esm_uuid = kit.uuid()
    kit.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "StartingPosition": "LATEST",
            "BatchSize": 100,
            "MaximumBatchingWindowInSeconds": 1,
            "ParallelizationFactor": 1,
            "EventSourceArn": stream_arn,
            "FunctionArn": fn["FunctionArn"],
            "LastModified": iso(created + timedelta(days=121)),
            "LastProcessingResult": "OK",
            "State": "Enabled",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {}},
            "MaximumRecordAgeInSeconds": -1,
            "BisectBatchOnFunctionError": False,
            "MaximumRetryAttempts": -1,
            "TumblingWindowInSeconds": 0,
            "FunctionResponseTypes": [],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    log_group(kit, "/ecs/shortlist-api", created, 30, rng.randint(10**10, 4 * 10**10))
    log_group(
        kit,
        "/aws/lambda/shortlist-alerts-stream",
        created + timedelta(days=120),
        14,
        rng.randint(10**9, 9 * 10**9),
    )
    security_group(
        kit,
        alb_sg,
        "hf-public-alb",
        "public ALB",
        vpc,
        [sg_rule_from_cidr(443, "0.0.0.0/0", "https")],
        {"Name": "hf-public-alb"},
    )
    security_group(
        kit,
        app_sg,
        "shortlist-api",
        "shortlist-api tasks",
        vpc,
        [sg_rule_from_sg(8080, alb_sg, "from ALB")],
        {"Name": "shortlist-api"},
    )
    security_group(
        kit,
        bastion_sg,
        "ops-bastion",
        "SSM-managed bastion",
        vpc,
        [sg_rule_from_cidr(22, "10.40.0.0/16", "vpc")],
        {"Name": "ops-bastion"},
    )

    # ECS service, deploy near the onset (harmless)
    old_rev, new_rev = rng.randint(180, 240), 0
    new_rev = old_rev + 1
    svc_arn = kit.arn("ecs", f"service/{cluster}/shortlist-api")
    n_tasks = 3
    old_ips = [private_ip(kit, f"10.40.{16 + 16 * i}") for i in range(n_tasks)]
    new_ips = [private_ip(kit, f"10.40.{16 + 16 * i}") for i in range(n_tasks)]
    old_task_ids = [kit.hex(32) for _ in range(n_tasks)]
    new_task_ids = [kit.hex(32) for _ in range(n_tasks)]
    dep_id = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"
    version_old = f"2024.{day.month:02d}.{rng.randint(1, 4)}"
    version_new = version_old + "-1"
    deploy_done = deploy_at + timedelta(minutes=6, seconds=rng.randint(0, 50))
    kit.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "shortlist-api",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {
                    "targetGroupArn": tg["TargetGroupArn"],
                    "containerName": "shortlist-api",
                    "containerPort": 8080,
                }
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": n_tasks,
            "runningCount": n_tasks,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": kit.arn("ecs", f"task-definition/shortlist-api:{new_rev}"),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": kit.arn("ecs", f"task-definition/shortlist-api:{new_rev}"),
                    "desiredCount": n_tasks,
                    "pendingCount": 0,
                    "runningCount": n_tasks,
                    "failedTasks": 0,
                    "createdAt": iso_ms(deploy_at),
                    "updatedAt": iso_ms(deploy_done),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": [s for s, _ in subnets_app],
                            "securityGroups": [app_sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": f"ECS deployment {dep_id} completed.",
                }
            ],
            "roleArn": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": [],
            "createdAt": iso_ms(created + timedelta(days=5)),
            "placementConstraints": [],
            "placementStrategy": [],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [s for s, _ in subnets_app],
                    "securityGroups": [app_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{acct}:role/gha-deploy",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    tg_arn = tg["TargetGroupArn"]
    for i, ip in enumerate(old_ips):
        target_health(kit, tg_arn, ip, 8080, azs[i], "healthy", start - timedelta(days=2))
    ecs_event(
        kit,
        svc_arn,
        start + timedelta(minutes=rng.randint(5, 50)),
        "(service shortlist-api) has reached a steady state.",
    )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=9),
        "(service shortlist-api) has started 3 tasks: " + " ".join(f"(task {t})" for t in new_task_ids) + ".",
    )
    for i, ip in enumerate(new_ips):
        target_health(
            kit,
            tg_arn,
            ip,
            8080,
            azs[i],
            "initial",
            deploy_at + timedelta(seconds=70 + i * 4),
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        target_health(kit, tg_arn, ip, 8080, azs[i], "healthy", deploy_at + timedelta(seconds=118 + i * 5))
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=72),
        f"(service shortlist-api) registered 3 targets in (target-group {tg_arn})",
    )
    for i, ip in enumerate(old_ips):
        target_health(
            kit,
            tg_arn,
            ip,
            8080,
            azs[i],
            "draining",
            deploy_at + timedelta(seconds=140),
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
        target_health(
            kit,
            tg_arn,
            ip,
            8080,
            azs[i],
            "unused",
            deploy_at + timedelta(seconds=170),
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=141),
        f"(service shortlist-api) deregistered 3 targets in (target-group {tg_arn})",
    )
    ecs_event(
        kit,
        svc_arn,
        deploy_at + timedelta(seconds=172),
        "(service shortlist-api) has stopped 3 running tasks: "
        + " ".join(f"(task {t})" for t in old_task_ids)
        + ".",
    )
    ecs_event(kit, svc_arn, deploy_done, f"(service shortlist-api) deployment {dep_id} completed.")
    ecs_event(
        kit,
        svc_arn,
        deploy_done + timedelta(seconds=3),
        "(service shortlist-api) has reached a steady state.",
    )

    # ---- the fault: how much of the table TTL has removed by time t ---------------------------------
    del_rate = rng.uniform(19_000, 28_000)  # items per minute once running

    def ttl_rate(t: datetime) -> float:
        m = (t - onset).total_seconds() / 60
        if m < 0:
            return 0.0
        ramp = min(1.0, (m + 1) / 9)
        return del_rate * ramp

    def deleted_frac(t: datetime) -> float:
        m = (t - onset).total_seconds() / 60
        if m <= 0:
            return 0.0
        total = del_rate * max(0.0, m - 4.5)
        return min(0.85, total / item_count)

    # ---- metrics --------------------------------------------------------------------------------
    def load(t: datetime) -> float:
        return diurnal(t, offset, low=0.12, peak_hour=20.5)

    peak_rpm = rng.uniform(1300, 1900)

    def rpm(t: datetime) -> float:
        bump = 1.0
        if t >= onset + timedelta(minutes=25):
            bump = 1.0 + 0.5 * deleted_frac(t)
        return max(20.0, kit.jitter(peak_rpm * load(t) * bump, 0.06))

    req: dict[datetime, float] = {}
    for t, _ in tks:
        req[t] = rpm(t)

    def frac_4xx(t: datetime) -> float:
        return 0.021 + 0.10 * deleted_frac(t)

    dims_tg = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    kit.series("AWS/ApplicationELB", "RequestCount", dims_tg, "Count", tks, lambda t, p: round(req[t]))
    kit.series(
        "AWS/ApplicationELB",
        "RequestCount",
        {"LoadBalancer": lb_dim},
        "Count",
        tks,
        lambda t, p: round(req[t] * 6.3),
    )
    kit.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        dims_tg,
        "Count",
        tks,
        lambda t, p: round(req[t] * (1 - frac_4xx(t))),
    )
    kit.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        dims_tg,
        "Count",
        tks,
        lambda t, p: round(req[t] * kit.jitter(frac_4xx(t), 0.15)),
    )

    def five(t: datetime, p: int) -> float | None:
        return 1.0 if rng.random() < 0.025 * p / 60 else None

    kit.series("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims_tg, "Count", tks, five)
    for t, p in tks:
        n = req[t] * p / 60
        med = kit.jitter(0.019, 0.08)
        kit.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            dims_tg,
            t,
            "Seconds",
            dist=(
                [med * 0.5, med, med * 1.8, med * 3.5, med * 7.0],
                [n * 0.3, n * 0.45, n * 0.2, n * 0.045, max(1.0, n * 0.005)],
            ),
        )
        healthy = float(n_tasks)
        if deploy_at + timedelta(seconds=118) <= t <= deploy_at + timedelta(seconds=170):
            healthy = float(n_tasks * 2)
        kit.metric(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            dims_tg,
            t,
            "Count",
            stats=(p / 60, healthy * p / 60, healthy, healthy),
        )
        kit.metric(
            "AWS/ApplicationELB", "UnHealthyHostCount", dims_tg, t, "Count", stats=(p / 60, 0.0, 0.0, 0.0)
        )
    ecs_dims = {"ClusterName": cluster, "ServiceName": "shortlist-api"}
    kit.series(
        "AWS/ECS",
        "CPUUtilization",
        ecs_dims,
        "Percent",
        tks,
        lambda t, p: kit.jitter(6 + 24 * load(t), 0.1),
        agg="avg",
    )
    kit.series(
        "AWS/ECS",
        "MemoryUtilization",
        ecs_dims,
        "Percent",
        tks,
        lambda t, p: kit.jitter(31.0 if t < deploy_at else 27.5, 0.02),
        agg="avg",
    )

    # DynamoDB
    def q_rate(t: datetime) -> float:
        return req[t] * 0.74

    for t, p in tks:
        k = p / 60
        q = q_rate(t) * k
        avg_items = 11.6 * (1 - deleted_frac(t)) * kit.jitter(1, 0.02)
        d_items = {"TableName": items_table, "Operation": "Query"}
        kit.metric(
            "AWS/DynamoDB",
            "ReturnedItemCount",
            d_items,
            t,
            "Count",
            stats=(q, q * avg_items, 0.0, float(rng.randint(140, 260))),
        )
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            d_items,
            t,
            "Milliseconds",
            stats=(q, q * kit.jitter(4.1, 0.05), 1.6, kit.jitter(38, 0.3)),
        )
        puts = req[t] * 0.09 * k * (1 + 1.2 * deleted_frac(t))
        d_put = {"TableName": items_table, "Operation": "PutItem"}
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            d_put,
            t,
            "Milliseconds",
            stats=(puts, puts * kit.jitter(5.6, 0.05), 2.9, kit.jitter(31, 0.3)),
        )
        dels = req[t] * 0.025 * k
        d_del = {"TableName": items_table, "Operation": "DeleteItem"}
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            d_del,
            t,
            "Milliseconds",
            stats=(dels, dels * kit.jitter(5.3, 0.05), 2.7, kit.jitter(25, 0.3)),
        )
        rcu = q * avg_items * 0.5 * 0.6 + q * 0.5
        wcu = (puts + dels) * 1.0 + req[t] * 0.01 * k
        kit.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": items_table},
            t,
            "Count",
            stats=(q, rcu, 0.5, 18.0),
        )
        kit.metric(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": items_table},
            t,
            "Count",
            stats=(puts + dels, wcu, 1.0, 2.0),
        )
        gq = req[t] * 0.05 * k
        kit.metric(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": guest_table},
            t,
            "Count",
            stats=(gq, gq * 1.3, 0.5, 4.0),
        )
        kit.metric(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": guest_table, "Operation": "Query"},
            t,
            "Milliseconds",
            stats=(gq, gq * kit.jitter(3.8, 0.05), 1.5, kit.jitter(22, 0.3)),
        )
        ttl = ttl_rate(t) * k
        if ttl > 0:
            kit.metric(
                "AWS/DynamoDB",
                "TimeToLiveDeletedItemCount",
                {"TableName": items_table},
                t,
                "Count",
                value=round(kit.jitter(ttl, 0.05)),
            )

    # stream -> Lambda
    fn_dims = {"FunctionName": "shortlist-alerts-stream"}
    capacity = rng.uniform(15_500, 18_500)  # stream records per minute the function gets through
    backlog = 0.0
    age_points: list[tuple[datetime, float]] = []
    fn_minutes: list[tuple[datetime, int, float, float]] = []  # t, period, records, age(ms)
    for t, p in tks:
        k = p / 60
        normal = req[t] * 0.115
        incoming = normal + ttl_rate(t)
        done = min(incoming + backlog, capacity)
        backlog = max(0.0, backlog + incoming - done)
        age_ms = 900 + (backlog / capacity) * 60_000 if backlog > 0 else kit.jitter(850, 0.3)
        fn_minutes.append((t, p, done * k, age_ms))
        batches = max(1.0, done / 100 if done > 600 else done / 3.5) * k
        dur = 180 + 9.5 * min(100.0, done / max(batches / k, 1))
        kit.metric("AWS/Lambda", "Invocations", fn_dims, t, "Count", value=round(batches))
        kit.metric("AWS/Lambda", "Errors", fn_dims, t, "Count", value=0.0)
        kit.metric(
            "AWS/Lambda",
            "Duration",
            fn_dims,
            t,
            "Milliseconds",
            stats=(batches, batches * dur, dur * 0.4, dur * 1.9),
        )
        kit.metric(
            "AWS/Lambda",
            "IteratorAge",
            fn_dims,
            t,
            "Milliseconds",
            stats=(batches, batches * age_ms * 0.8, age_ms * 0.3, age_ms),
        )
        conc = min(float(rng.randint(9, 12)), max(1.0, batches / k * dur / 60000 * 1.3))
        kit.metric("AWS/Lambda", "ConcurrentExecutions", fn_dims, t, "Count", stats=(k, conc * k, 1.0, conc))
        kit.metric(
            "AWS/DynamoDB",
            "ReturnedRecordsCount",
            {"TableName": items_table, "StreamLabel": stream_label, "Operation": "GetRecords"},
            t,
            "Count",
            stats=(max(1.0, batches * 1.4), done * k, 0.0, 1000.0 if done > 5000 else 14.0),
        )
        age_points.append((t, age_ms))

    # ---- alarms ---------------------------------------------------------------------------------
    topic = kit.arn("sns", "hf-prod-oncall")
    kit.alarm(
        "shortlist-alerts-stream-iterator-age",
        "Shortlist stream consumer falling behind (>5 min)",
        "AWS/Lambda",
        "IteratorAge",
        fn_dims,
        "Maximum",
        60,
        5,
        5,
        300000,
        "GreaterThanThreshold",
        [(t, v) for t, v in age_points],
        now,
        [topic],
        treat_missing="notBreaching",
    )
    kit.alarm(
        "shortlist-api-target-5xx",
        "shortlist-api 5xx from targets",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        dims_tg,
        "Sum",
        60,
        3,
        3,
        25,
        "GreaterThanThreshold",
        [(t, 0.0) for t, p in tks if p == 60],
        now,
        [topic],
        treat_missing="notBreaching",
    )
    kit.alarm(
        "shortlist-api-p99-latency",
        "shortlist-api p99 over 750 ms",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        dims_tg,
        "p99",
        300,
        3,
        3,
        0.75,
        "GreaterThanThreshold",
        [(t, 0.14) for t, p in tks if p == 300 or t.minute % 5 == 0],
        now,
        [topic],
    )
    kit.alarm(
        "shortlist-items-throttles",
        "Throttled requests on shortlist-items",
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": items_table},
        "Sum",
        60,
        5,
        2,
        10,
        "GreaterThanThreshold",
        [(t, 0.0) for t, p in tks if p == 60],
        now,
        [topic],
        treat_missing="notBreaching",
    )
    kit.alarm(
        "hf-public-alb-elb-5xx",
        "Load balancer 5xx on the public ALB",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        3,
        50,
        "GreaterThanThreshold",
        [(t, 0.0) for t, p in tks if p == 60],
        now,
        [topic],
        treat_missing="notBreaching",
    )

    # ---- logs -----------------------------------------------------------------------------------
    grp = "/ecs/shortlist-api"
    routes = [
        ("GET", "/v2/shortlists/me", 0.62),
        ("GET", "/v2/shortlists/me/contains", 0.2),
        ("PUT", "/v2/shortlists/me/items/{id}", 0.08),
        ("PATCH", "/v2/shortlists/me/items/{id}", 0.05),
        ("DELETE", "/v2/shortlists/me/items/{id}", 0.03),
        ("GET", "/v2/shortlists/me/export", 0.02),
    ]

    def emit_request(t: datetime, task_idx: int, task_id: str, ip: str, version: str) -> None:
        r = rng.random()
        acc = 0.0
        method, path = routes[0][0], routes[0][1]
        for m_, p_, w in routes:
            acc += w
            if r <= acc:
                method, path = m_, p_
                break
        listing = str(rng.randint(130_000_000, 152_999_999))
        url = path.replace("{id}", listing)
        status = 200
        extra: Json = {}
        frac = deleted_frac(t)
        if path == "/v2/shortlists/me":
            n = max(0, round(rng.gauss(11.6 * (1 - frac), 4)))
            extra = {"items": n}
        elif path == "/v2/shortlists/me/contains":
            extra = {"saved": rng.random() > 0.3 + frac * 0.5}
        elif method in ("PATCH", "DELETE") and rng.random() < 0.025 + frac * 0.85:
            status = 404
        elif method == "PUT":
            status = 201 if rng.random() < 0.8 else 200
        if rng.random() < 0.012:
            status = 401
        rt = max(2.0, rng.lognormvariate(2.8, 0.5))
        line: Json = {
            "level": 30 if status < 400 else 40,
            "time": ms(t),
            "pid": 1,
            "hostname": f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal",
            "service": "shortlist-api",
            "version": version,
            "reqId": kit.hex(16),
            "req": {"method": method, "url": url, "remoteAddress": private_ip(kit, "10.40.1")},
            "res": {"statusCode": status},
            "responseTime": round(rt, 1),
        }
        line.update(extra)
        if status == 404:
            line["err"] = {
                "type": "NotFoundError",
                "message": f"shortlist item {listing} not found",
                "code": "ITEM_NOT_FOUND",
            }
            line["msg"] = "request errored"
        elif status == 401:
            line["msg"] = "request errored"
            line["err"] = {"type": "UnauthorizedError", "message": "jwt expired", "code": "TOKEN_EXPIRED"}
        else:
            line["msg"] = "request completed"
        kit.log(grp, f"shortlist-api/shortlist-api/{task_id}", t, json.dumps(line, separators=(",", ":")))

    for t, p in tks:
        per = 1 if p == 300 else 3
        for _ in range(per):
            for i in range(n_tasks):
                at = t + timedelta(seconds=rng.uniform(0, p))
                if at < deploy_at + timedelta(seconds=140):
                    emit_request(at, i, old_task_ids[i], old_ips[i], version_old)
                if at > deploy_at + timedelta(seconds=100):
                    emit_request(at, i, new_task_ids[i], new_ips[i], version_new)
        if rng.random() < 0.02 * p / 60:
            i = rng.randrange(n_tasks)
            tid, ip = (old_task_ids[i], old_ips[i]) if t < deploy_at else (new_task_ids[i], new_ips[i])
            kit.log(
                grp,
                f"shortlist-api/shortlist-api/{tid}",
                t + timedelta(seconds=rng.uniform(0, 50)),
                json.dumps(
                    {
                        "level": 40,
                        "time": ms(t),
                        "pid": 1,
                        "hostname": f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal",
                        "service": "shortlist-api",
                        "msg": "listing-service enrichment slow, serving cached summaries",
                        "upstream": "listing-service.internal:8443",
                        "elapsedMs": rng.randint(900, 2400),
                    },
                    separators=(",", ":"),
                ),
            )
    for i in range(n_tasks):
        tid, ip = new_task_ids[i], new_ips[i]
        at = deploy_at + timedelta(seconds=52 + i * 3)
        host = f"ip-{ip.replace('.', '-')}.{kit.region}.compute.internal"
        for msg in (
            f"shortlist-api {version_new} starting (node v20.12.2)",
            "feature flags loaded: shortlist.sort.priceDrop=on, shortlist.export.csv=on",
            "listening on 0.0.0.0:8080",
        ):
            kit.log(
                grp,
                f"shortlist-api/shortlist-api/{tid}",
                at,
                json.dumps(
                    {
                        "level": 30,
                        "time": ms(at),
                        "pid": 1,
                        "hostname": host,
                        "service": "shortlist-api",
                        "msg": msg,
                    },
                    separators=(",", ":"),
                ),
            )
            at += timedelta(milliseconds=rng.randint(80, 900))

    fgrp = "/aws/lambda/shortlist-alerts-stream"
    streams = [lambda_stream(kit, start) for _ in range(4)]
    for t, p, recs, _age in fn_minutes:
        n_log = 1 if p == 300 else (2 if recs < 1000 else 4)
        for j in range(n_log):
            at = t + timedelta(seconds=rng.uniform(0, p))
            st = streams[j % len(streams)]
            if recs < 1000:
                batch = rng.randint(1, 6)
                ins, mod, rem = batch, 0, 0
                if batch > 2:
                    ins, mod, rem = batch - 2, 1, 1
            else:
                batch = 100
                rem = 100 - rng.randint(0, 2)
                ins, mod = 100 - rem, 0
            dur = 160 + 9.5 * batch * kit.jitter(1, 0.1)
            rid = lambda_report(kit, fgrp, st, at, dur, 512, rng.randint(118, 131), None)
            kit.log(
                fgrp,
                st,
                at + timedelta(milliseconds=dur - 5),
                f"{iso_ms(at + timedelta(milliseconds=dur - 5))}\t{rid}\tINFO\tbatch done records={batch} INSERT={ins} MODIFY={mod} REMOVE={rem} "
                f"subscriptionsAdded={ins} subscriptionsRemoved={rem} failed=0",
            )
            if rec_warn := (rem >= 50 and rng.random() < 0.15):
                kit.log(
                    fgrp,
                    st,
                    at + timedelta(milliseconds=dur - 2),
                    f"{iso_ms(at + timedelta(milliseconds=dur - 2))}\t{rid}\tWARN\talerts-api unsubscribe took {rng.randint(1200, 3100)}ms for 100 listings",
                )
            del rec_warn

    # ---- CloudTrail -----------------------------------------------------------------------------
    tf_role = "gha-terraform-apply"
    deploy_role = "gha-deploy"
    ua_tf = UA_TERRAFORM.format(api="dynamodb#1.31.1")
    # routine: Terraform plan in the morning on the data stack (read only), plan+apply at change_at
    for base in (
        start + timedelta(minutes=rng.randint(20, 80)),
        change_at - timedelta(minutes=4, seconds=rng.randint(0, 50)),
    ):
        oidc_assume(kit, base, tf_role, "homefinder/platform-infra")
        who = kit.role_identity(tf_role, "GitHubActions", created=base)
        ip = github_ip(kit)
        for i, (tbl, arn) in enumerate(((items_table, items_arn), (guest_table, guest_arn))):
            at = base + timedelta(seconds=20 + i * 2)
            kit.ct(
                at,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                who,
                {"tableName": tbl},
                None,
                True,
                ip,
                ua_tf,
                resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": arn}],
            )
            kit.ct(
                at + timedelta(seconds=1),
                "dynamodb.amazonaws.com",
                "DescribeTimeToLive",
                who,
                {"tableName": tbl},
                None,
                True,
                ip,
                ua_tf,
                resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": arn}],
            )
            kit.ct(
                at + timedelta(seconds=1),
                "dynamodb.amazonaws.com",
                "DescribeContinuousBackups",
                who,
                {"tableName": tbl},
                None,
                True,
                ip,
                ua_tf,
                resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": arn}],
            )
            kit.ct(
                at + timedelta(seconds=2),
                "dynamodb.amazonaws.com",
                "ListTagsOfResource",
                who,
                {"resourceArn": arn},
                None,
                True,
                ip,
                ua_tf,
                resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": arn}],
            )
    apply_who = kit.role_identity(tf_role, "GitHubActions", created=change_at - timedelta(minutes=4))
    culprit = kit.ct(
        change_at,
        "dynamodb.amazonaws.com",
        "UpdateTimeToLive",
        apply_who,
        {
            "tableName": items_table,
            "timeToLiveSpecification": {"enabled": True, "attributeName": "updatedEpoch"},
        },
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "updatedEpoch"}},
        False,
        github_ip(kit),
        ua_tf,
        resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": items_arn}],
    )
    kit.ct(
        change_at + timedelta(seconds=2),
        "dynamodb.amazonaws.com",
        "DescribeTimeToLive",
        apply_who,
        {"tableName": items_table},
        None,
        True,
        github_ip(kit),
        ua_tf,
        resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": items_arn}],
    )
    kit.ct(
        change_at + timedelta(seconds=4),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        apply_who,
        {"tableName": items_table},
        None,
        True,
        github_ip(kit),
        ua_tf,
        resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": items_arn}],
    )

    # harmless: a human tags the table (FinOps tag clean-up) shortly before the onset
    sso_suffix = kit.hex(16)
    tag_at = onset - timedelta(minutes=rng.randint(19, 27))
    finops = kit.sso_identity(
        "FinOpsAnalyst", kit.hex(16), "priya.raman@homefinder.co.uk", tag_at - timedelta(minutes=31)
    )
    for tbl_arn in (items_arn, guest_arn):
        kit.ct(
            tag_at + timedelta(seconds=rng.randint(0, 40)),
            "dynamodb.amazonaws.com",
            "TagResource",
            finops,
            {
                "resourceArn": tbl_arn,
                "tags": [
                    {"key": "cost-centre", "value": "CC-4410"},
                    {"key": "product", "value": "shortlist"},
                ],
            },
            None,
            False,
            office_ip(kit),
            UA_CONSOLE,
            console=True,
            resources=[{"accountId": acct, "type": "AWS::DynamoDB::Table", "ARN": tbl_arn}],
        )

    # harmless: the shortlist-api release via GitHub Actions
    oidc_assume(kit, deploy_at - timedelta(minutes=2), deploy_role, "homefinder/shortlist-api")
    dwho = kit.role_identity(deploy_role, "GitHubActions", created=deploy_at - timedelta(minutes=2))
    dip = github_ip(kit)
    image = f"{acct}.dkr.ecr.{kit.region}.amazonaws.com/shortlist-api:{version_new}"
    kit.ct(
        deploy_at - timedelta(seconds=40),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        dwho,
        {
            "family": "shortlist-api",
            "taskRoleArn": task_role["Arn"],
            "executionRoleArn": f"arn:aws:iam::{acct}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": "shortlist-api",
                    "image": image,
                    "cpu": 0,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "essential": True,
                    "environment": [
                        {"name": "NODE_ENV", "value": "production"},
                        {"name": "SHORTLIST_TABLE", "value": items_table},
                        {"name": "GUEST_TABLE", "value": guest_table},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": grp,
                            "awslogs-region": kit.region,
                            "awslogs-stream-prefix": "shortlist-api",
                        },
                    },
                }
            ],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": kit.arn("ecs", f"task-definition/shortlist-api:{new_rev}"),
                "family": "shortlist-api",
                "revision": new_rev,
                "status": "ACTIVE",
                "registeredAt": iso_ms(deploy_at - timedelta(seconds=40)),
            }
        },
        False,
        dip,
        UA_CLI.format(cmd="ecs.register-task-definition"),
    )
    kit.ct(
        deploy_at,
        "ecs.amazonaws.com",
        "UpdateService",
        dwho,
        {
            "cluster": cluster,
            "service": "shortlist-api",
            "taskDefinition": f"shortlist-api:{new_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": "shortlist-api",
                "clusterArn": cluster_arn,
                "taskDefinition": kit.arn("ecs", f"task-definition/shortlist-api:{new_rev}"),
                "desiredCount": n_tasks,
                "runningCount": n_tasks,
                "status": "ACTIVE",
            }
        },
        False,
        dip,
        UA_CLI.format(cmd="ecs.update-service"),
    )
    for s_ in range(5):
        kit.ct(
            deploy_at + timedelta(seconds=15 + 75 * s_),
            "ecs.amazonaws.com",
            "DescribeServices",
            dwho,
            {"cluster": cluster, "services": ["shortlist-api"]},
            None,
            True,
            dip,
            UA_CLI.format(cmd="ecs.wait"),
        )
    for i in range(n_tasks):
        service_assume(
            kit,
            deploy_at + timedelta(seconds=40 + i * 3),
            "ecs-tasks.amazonaws.com",
            task_role["Arn"],
            new_task_ids[i],
        )

    # harmless: the platform team opens SSH to the bastion from the VPN range
    sg_at = onset + timedelta(minutes=rng.randint(3, 12))
    plat = kit.sso_identity(
        "PlatformEngineer", sso_suffix, "tom.whitfield@homefinder.co.uk", sg_at - timedelta(minutes=45)
    )
    kit.ct(
        sg_at,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        plat,
        {
            "groupId": bastion_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {"items": [{"cidrIp": "172.20.0.0/16", "description": "corp VPN"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": kit.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": acct,
                        "groupId": bastion_sg,
                        "securityGroupRuleId": "sgr-0" + kit.hex(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": "172.20.0.0/16",
                        "description": "corp VPN",
                    }
                ]
            },
        },
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )

    # routine reads through the window: on-call humans, Lambda, ECS, Config
    oncall = kit.sso_identity(
        "ReadOnly", kit.hex(16), "sam.oduya@homefinder.co.uk", start + timedelta(minutes=30)
    )
    t = start + timedelta(minutes=rng.randint(30, 60))
    while t < now:
        choice = rng.random()
        if choice < 0.3:
            kit.ct(
                t,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                oncall,
                {"stateValue": "ALARM"},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif choice < 0.55:
            kit.ct(
                t,
                "monitoring.amazonaws.com",
                "GetMetricData",
                oncall,
                {
                    "startTime": iso(t - timedelta(hours=3)),
                    "endTime": iso(t),
                    "metricDataQueries": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {"namespace": "AWS/ApplicationELB", "metricName": "RequestCount"},
                                "period": 60,
                                "stat": "Sum",
                            },
                        }
                    ],
                },
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif choice < 0.75:
            kit.ct(
                t,
                "logs.amazonaws.com",
                "CreateLogStream",
                kit.role_identity(
                    "shortlist-alerts-stream", "shortlist-alerts-stream", created=t - timedelta(minutes=5)
                ),
                {"logGroupName": fgrp, "logStreamName": lambda_stream(kit, t)},
                None,
                False,
                "3.9.184.70",
                "awslambda-worker/1.0 rusoto/0.48.0 rust/1.75.0 linux",
            )
        else:
            kit.ct(
                t,
                "config.amazonaws.com",
                "DescribeTable" if rng.random() < 0.5 else "DescribeSecurityGroups",
                kit.role_identity(
                    "AWSServiceRoleForConfig",
                    "AWSConfig-Describe",
                    path="/aws-service-role/config.amazonaws.com/",
                    created=t - timedelta(minutes=9),
                ),
                {"tableName": guest_table},
                None,
                True,
                "config.amazonaws.com",
                "config.amazonaws.com",
            )
            rec = kit.cloudtrail[-1]
            if rec["eventName"] == "DescribeTable":
                rec["eventSource"] = "dynamodb.amazonaws.com"
            else:
                rec["eventSource"] = "ec2.amazonaws.com"
                rec["requestParameters"] = {
                    "securityGroupSet": {},
                    "securityGroupIdSet": {"items": [{"groupId": app_sg}]},
                    "filterSet": {},
                }
        t += timedelta(minutes=rng.randint(9, 24), seconds=rng.randint(0, 59))

    # ---- manifest -------------------------------------------------------------------------------
    local = (onset + timedelta(minutes=rng.randint(30, 42))).astimezone(TZ)
    clock = local.strftime("%-I:%M%p").lower().replace(":00", "")
    manifest: Json = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": kit.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": (
                f"Support have had a steady stream of customers since about {clock} saying homes have vanished "
                "from their saved shortlist — they didn't remove them. The API isn't erroring as far as I can "
                "see and the app team says today's shortlist-api release was tiny. What is going on?"
            ),
            "alarm_event": None,
            "timezone": "Europe/London",
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": items_table,
                "category": "change",
                "failure_mode": "dynamodb-ttl-enabled-on-wrong-attribute",
                "event_id": culprit["eventID"],
            },
            "also_accept": [items_arn],
            "actions": ["rollback"],
            "chain": [
                "UpdateTimeToLive enabled TTL on shortlist-items with attributeName updatedEpoch (every item's last-update time, always in the past)",
                "About an hour later DynamoDB TTL began deleting shortlist-items rows (TimeToLiveDeletedItemCount)",
                "shortlist-api Query results shrink and PATCH/DELETE on saved items start answering 404",
                "Customers see homes missing from their shortlists; the stream consumer shortlist-alerts-stream falls behind on REMOVE records",
            ],
        },
    }
    return kit.bundle(manifest, now)
