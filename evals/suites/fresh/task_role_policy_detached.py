"""A Terraform apply detaches the DynamoDB policy from the order-events consumer's ECS task role. The
consumer keeps receiving messages but every PutItem is denied; messages cycle until the redrive policy
moves them to the dead-letter queue, and the queue's backlog and age climb."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_d import (
    TF_UA,
    Ctx,
    J,
    background_trail,
    ct,
    diurnal,
    ecs_cluster,
    ecs_task,
    grid,
    iam_call,
    iam_role,
    iso,
    log_group,
    ms,
    network,
    role_session,
    service_principal,
    sso_user,
    task_id,
    task_ip,
)

NAME = "task-role-policy-detached"
TITLE = "order-events queue backing up while consumers look healthy"
SUMMARY = (
    "A Terraform refactor detached the DynamoDB policy from the order-events consumer's task role; "
    "PutItem calls are denied, messages cycle to the DLQ and the queue backs up."
)

ZONES = [
    ("America/New_York", "us-east-1"),
    ("America/Chicago", "us-east-2"),
    ("Europe/London", "eu-west-2"),
    ("Europe/Berlin", "eu-central-1"),
]


def build(seed: int) -> Bundle:
    probe = Ctx(NAME, seed)
    zone, region = probe.rng.choice(ZONES)
    ctx = Ctx(NAME, seed, region=region)
    rng = ctx.rng
    tz = ZoneInfo(zone)
    day = ctx.day()
    local_onset = datetime(
        day.year, day.month, day.day, rng.randrange(9, 16), rng.randrange(0, 60), rng.randrange(60), tzinfo=tz
    )
    onset = local_onset.astimezone(ZoneInfo("UTC"))
    t_change = onset - timedelta(seconds=rng.randrange(3, 9))
    start = onset - timedelta(hours=5, minutes=rng.randrange(0, 50))
    fine = onset - timedelta(hours=3)
    now = onset + timedelta(minutes=rng.randrange(36, 55), seconds=rng.randrange(60))
    points = grid(start, now, fine)
    peak = 12 + rng.uniform(3, 6)
    inflow = rng.uniform(180, 420)
    net = network(ctx)
    cluster, service = "fulfillment-prod", "order-events-consumer"
    queue, dlq, table = "order-events", "order-events-dlq", "order-timeline"
    vt, max_receives = 60, 5
    t_sqs = onset - timedelta(minutes=rng.randrange(11, 18), seconds=rng.randrange(60))

    # --- resources --------------------------------------------------------------------------------
    ecs_cluster(ctx, cluster, services=6, tasks=19)
    role = iam_role(
        ctx,
        f"{service}-task",
        "ecs-tasks.amazonaws.com",
        day - timedelta(days=610),
        last_used=onset,
        tags={"service": service, "managed-by": "terraform"},
    )
    exec_role = iam_role(
        ctx,
        f"{service}-exec",
        "ecs-tasks.amazonaws.com",
        day - timedelta(days=610),
        last_used=day - timedelta(days=1),
    )
    pol_sqs = f"arn:aws:iam::{ctx.account}:policy/order-events-sqs-consume"
    pol_ddb = f"arn:aws:iam::{ctx.account}:policy/order-timeline-dynamodb-rw"
    ctx.res(
        "iam",
        "RoleAttachedPolicy",
        {"RoleName": role["RoleName"], "PolicyName": "order-events-sqs-consume", "PolicyArn": pol_sqs},
    )
    ctx.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role["RoleName"],
            "PolicyName": "AWSXRayDaemonWriteAccess",
            "PolicyArn": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        },
    )
    ctx.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": exec_role["RoleName"],
            "PolicyName": "AmazonECSTaskExecutionRolePolicy",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
        },
    )
    ctx.res(
        "iam",
        "Policy",
        {
            "PolicyName": "order-timeline-dynamodb-rw",
            "PolicyId": ctx.key_id("ANPA", 17),
            "Arn": pol_ddb,
            "Path": "/",
            "DefaultVersionId": "v3",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "Description": "Read/write access to the order-timeline table and its indexes",
            "CreateDate": iso(day - timedelta(days=600)),
            "UpdateDate": iso(day - timedelta(days=140)),
        },
    )
    ctx.res(
        "iam",
        "Policy",
        {
            "PolicyName": "order-events-sqs-consume",
            "PolicyId": ctx.key_id("ANPA", 17),
            "Arn": pol_sqs,
            "Path": "/",
            "DefaultVersionId": "v1",
            "AttachmentCount": 1,
            "PermissionsBoundaryUsageCount": 0,
            "IsAttachable": True,
            "CreateDate": iso(day - timedelta(days=600)),
            "UpdateDate": iso(day - timedelta(days=600)),
        },
    )
    image = f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/{service}:{ctx.hex(7)}"
    rev = rng.randrange(30, 90)
    td_arn = ctx.arn("ecs", f"task-definition/{service}:{rev}")
    ctx.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td_arn,
            "family": service,
            "revision": rev,
            "taskRoleArn": role["Arn"],
            "executionRoleArn": exec_role["Arn"],
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "registeredAt": iso(day - timedelta(days=rng.randrange(3, 12))),
            "containerDefinitions": [
                {
                    "name": service,
                    "image": image,
                    "cpu": 0,
                    "essential": True,
                    "environment": [
                        {
                            "name": "QUEUE_URL",
                            "value": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{queue}",
                        },
                        {"name": "TIMELINE_TABLE", "value": table},
                        {"name": "BATCH_SIZE", "value": "10"},
                        {"name": "NODE_ENV", "value": "production"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{service}",
                            "awslogs-region": ctx.region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
        },
    )
    tasks = [
        ecs_task(
            ctx,
            cluster,
            service,
            td_arn,
            net,
            i % 3,
            day - timedelta(days=rng.randrange(1, 4), hours=rng.randrange(24)),
            cpu="512",
            memory="1024",
            image=image,
            container=service,
        )
        for i in range(4)
    ]
    svc_arn = ctx.arn("ecs", f"service/{cluster}/{service}")
    ctx.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": service,
            "clusterArn": ctx.arn("ecs", f"cluster/{cluster}"),
            "loadBalancers": [],
            "status": "ACTIVE",
            "desiredCount": 4,
            "runningCount": 4,
            "pendingCount": 0,
            "launchType": "FARGATE",
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
                    "id": f"ecs-svc/{rng.randrange(10**18, 10**19)}",
                    "status": "PRIMARY",
                    "taskDefinition": td_arn,
                    "desiredCount": 4,
                    "pendingCount": 0,
                    "runningCount": 4,
                    "failedTasks": 0,
                    "createdAt": iso(day - timedelta(days=4)),
                    "updatedAt": iso(day - timedelta(days=4) + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "events": [
                {
                    "id": ctx.uuid(),
                    "createdAt": iso(onset - timedelta(hours=h, minutes=rng.randrange(60))),
                    "message": f"(service {service}) has reached a steady state.",
                }
                for h in (0, 6)
            ],
            "createdAt": iso(day - timedelta(days=600)),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": net.subnets,
                    "securityGroups": [net.sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableExecuteCommand": True,
        },
    )
    q_arn, dlq_arn = ctx.arn("sqs", queue), ctx.arn("sqs", dlq)
    created_q = str(int((day - timedelta(days=610)).timestamp()))
    ctx.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{queue}",
            "Attributes": {
                "QueueArn": q_arn,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": created_q,
                "LastModifiedTimestamp": str(int(t_sqs.timestamp())),
                "VisibilityTimeout": str(vt),
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives}, separators=(",", ":")
                ),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"service": service, "team": "fulfillment"},
        },
    )
    ctx.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{dlq}",
            "Attributes": {
                "QueueArn": dlq_arn,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": created_q,
                "LastModifiedTimestamp": created_q,
                "VisibilityTimeout": "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"service": service, "team": "fulfillment"},
        },
    )
    ctx.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "TableName": table,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(day - timedelta(days=640)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randrange(10**10, 9 * 10**10),
            "ItemCount": rng.randrange(10**8, 6 * 10**8),
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(day - timedelta(days=500)),
            },
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": ctx.arn("kms", f"key/{ctx.uuid()}"),
            },
            "DeletionProtectionEnabled": True,
            "TableClassSummary": {"TableClass": "STANDARD"},
        },
    )
    log_group(ctx, f"/ecs/{service}", day - timedelta(days=600), retention=14)

    # --- metrics ----------------------------------------------------------------------------------
    def n_in(t: datetime, step: int) -> int:
        return ctx.count(inflow * diurnal(t, peak, 0.4) * step / 60)

    dlq_depth = 0.0
    for t, step in points:
        sent = n_in(t, step)
        broken = t >= onset.replace(second=0, microsecond=0)
        since = (t - onset).total_seconds() / 60 if broken else 0
        qd = {"QueueName": queue}
        dd = {"QueueName": dlq}
        if not broken:
            recv, dele = sent + ctx.count(0.01 * sent), sent
            vis = ctx.count(4 * step / 60)
            inflight = ctx.count(sent * 0.02 + 3)
            age = rng.uniform(1, 6)
            moved = 0
            writes = sent * rng.uniform(1.9, 2.1)
            errs = ctx.count(0.3 * step / 60)
        else:
            cyc = min(max_receives, 1 + since * 60 / vt)
            recv = ctx.count(sent * cyc)
            dele = ctx.count(sent * 0.03)
            vis = ctx.count(sent * 0.08)
            inflight = ctx.count(sent * min(since, max_receives * vt / 60))
            age = min(since * 60 + rng.uniform(0, 8), max_receives * (vt + rng.uniform(0, 4)))
            moved = sent if since >= max_receives * vt / 60 else 0
            writes = dele * 2.0
            errs = recv - dele
        dlq_depth += moved
        ctx.put("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", sent)
        ctx.put(
            "AWS/SQS",
            "SentMessageSize",
            qd,
            t,
            "Bytes",
            stats=(sent, sent * 1840.0, 812.0, 4311.0) if sent else (1, 0, 0, 0),
        )
        ctx.put("AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", recv)
        ctx.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", dele)
        ctx.put("AWS/SQS", "NumberOfEmptyReceives", qd, t, "Count", ctx.count(4 * 3 * step / 20 * 0.6))
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", vis)
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, t, "Count", inflight)
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesDelayed", qd, t, "Count", 0)
        ctx.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", round(age))
        ctx.put("AWS/SQS", "NumberOfMessagesSent", dd, t, "Count", 0)
        ctx.put("AWS/SQS", "NumberOfMessagesReceived", dd, t, "Count", 0)
        ctx.put("AWS/SQS", "NumberOfMessagesDeleted", dd, t, "Count", 0)
        ctx.put("AWS/SQS", "NumberOfEmptyReceives", dd, t, "Count", 0)
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", round(dlq_depth))
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dd, t, "Count", 0)
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesDelayed", dd, t, "Count", 0)
        if dlq_depth:
            first_moved = onset + timedelta(seconds=max_receives * vt)
            ctx.put(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                dd,
                t,
                "Seconds",
                round(max(0.0, (t - first_moved).total_seconds()) + max_receives * vt),
            )
        td = {"TableName": table}
        reads = ctx.count(900 * diurnal(t, peak, 0.4) * step / 60)
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            td,
            t,
            "Count",
            round(writes * (1.0 + rng.uniform(0, 0.05)), 1),
        )
        ctx.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", td, t, "Count", reads * 0.5)
        if writes >= 1:
            ctx.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**td, "Operation": "PutItem"},
                t,
                "Milliseconds",
                stats=(
                    max(1, round(writes / 2)),
                    round(writes / 2) * rng.uniform(4.2, 5.5),
                    2.1,
                    rng.uniform(18, 40),
                ),
            )
        ctx.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**td, "Operation": "Query"},
            t,
            "Milliseconds",
            stats=(max(1, reads), reads * rng.uniform(6, 8), 2.8, rng.uniform(30, 70)),
        )
        if errs:
            ctx.put("AWS/DynamoDB", "UserErrors", {}, t, "Count", errs)
        ed = {"ClusterName": cluster, "ServiceName": service}
        ctx.put(
            "AWS/ECS",
            "CPUUtilization",
            ed,
            t,
            "Percent",
            ctx.jitter(14 * diurnal(t, peak, 0.3) + (4 if broken else 0), 0.1),
        )
        ctx.put("AWS/ECS", "MemoryUtilization", ed, t, "Percent", ctx.jitter(37, 0.02))

    topic = ctx.arn("sns", "fulfillment-alerts")
    ctx.alarm(
        f"{queue}-oldest-message-age",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": queue},
        statistic="Maximum",
        period=60,
        evaluation_periods=5,
        threshold=240,
        comparison="GreaterThanThreshold",
        actions=[topic],
        ok_actions=[topic],
        description="Order events are waiting more than 4 minutes for the consumer",
    )
    ctx.alarm(
        f"{dlq}-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": dlq},
        statistic="Maximum",
        period=300,
        evaluation_periods=1,
        threshold=0,
        comparison="GreaterThanThreshold",
        actions=[topic],
        treat_missing="notBreaching",
    )
    ctx.alarm(
        f"{table}-write-throttles",
        namespace="AWS/DynamoDB",
        metric="WriteThrottleEvents",
        dims={"TableName": table},
        statistic="Sum",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=3,
        threshold=10,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[topic],
    )
    ctx.alarm(
        f"{service}-cpu-high",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        dims={"ClusterName": cluster, "ServiceName": service},
        statistic="Average",
        period=300,
        evaluation_periods=3,
        threshold=75,
        comparison="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.evaluate_alarms(fine, now, since=day - timedelta(days=rng.randrange(2, 12)))

    # --- logs -------------------------------------------------------------------------------------
    grp = f"/ecs/{service}"
    for task in tasks:
        stream = f"ecs/{service}/{task_id(task)}"
        host = f"ip-{task_ip(task).replace('.', '-')}.{ctx.region}.compute.internal"
        session = f"arn:aws:sts::{ctx.account}:assumed-role/{role['RoleName']}/{task_id(task)}"
        t = start
        while t < now:
            t += timedelta(seconds=rng.uniform(15, 50) if t < onset else rng.uniform(1.5, 6))
            base: J = {"level": 30, "time": ms(t), "pid": 1, "hostname": host, "svc": service}
            if t < onset:
                r = rng.random()
                if r < 0.8:
                    base.update(
                        {
                            "msg": "batch processed",
                            "received": 10,
                            "written": rng.randrange(9, 11),
                            "durationMs": rng.randrange(40, 160),
                        }
                    )
                elif r < 0.95:
                    base.update(
                        {
                            "level": 40,
                            "msg": "skipping event with unknown type",
                            "eventType": rng.choice(["order.gift_note_added", "order.survey_completed"]),
                            "orderId": f"ord_{ctx.alnum(14)}",
                        }
                    )
                else:
                    base.update(
                        {
                            "msg": "heap stats",
                            "heapUsedMb": rng.randrange(90, 140),
                            "rssMb": rng.randrange(180, 230),
                        }
                    )
            else:
                rid = ctx.alnum(52, upper=True)
                message = f"User: {session} is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:{ctx.region}:{ctx.account}:table/{table} because no identity-based policy allows the dynamodb:PutItem action"
                base.update(
                    {
                        "level": 50,
                        "msg": "failed to record order event; leaving message for retry",
                        "messageId": ctx.uuid(),
                        "orderId": f"ord_{ctx.alnum(14)}",
                        "receiveCount": rng.randrange(1, max_receives + 1),
                        "err": {
                            "type": "AccessDeniedException",
                            "message": message,
                            "stack": f"AccessDeniedException: {message}\n    at throwDefaultError (/app/node_modules/@smithy/smithy-client/dist-cjs/index.js:867:20)\n    at /app/node_modules/@smithy/smithy-client/dist-cjs/index.js:876:5\n    at de_CommandError (/app/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js:2284:14)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at async /app/node_modules/@smithy/middleware-serde/dist-cjs/index.js:35:20\n    at async /app/node_modules/@aws-sdk/core/dist-cjs/index.js:165:18\n    at async /app/node_modules/@smithy/middleware-retry/dist-cjs/index.js:320:38\n    at async recordEvent (/app/dist/timeline/writer.js:48:9)\n    at async handleBatch (/app/dist/consumer.js:91:13)",
                            "name": "AccessDeniedException",
                            "$fault": "client",
                            "$metadata": {
                                "httpStatusCode": 400,
                                "requestId": rid,
                                "attempts": 1,
                                "totalRetryDelay": 0,
                            },
                        },
                    }
                )
            ctx.log(grp, stream, t, json.dumps(base, separators=(",", ":")))

    # --- CloudTrail -------------------------------------------------------------------------------
    office = f"{rng.choice([72, 98, 173, 208])}.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    names = ["amelia.cho", "raj.patel", "ben.osei", "hannah.kruger", "diego.santos"]
    rng.shuffle(names)
    dom = rng.choice(["shipwell.com", "parcelly.io", "cartwheel.co"])
    dev = sso_user(ctx, f"{names[0]}@{dom}", "FulfillmentDeveloper", ip=office, console=True)
    sre = sso_user(ctx, f"{names[1]}@{dom}", "SRE", ip=office)
    background_trail(ctx, start, now, 36, [dev, sre])
    gha_ip = f"4.{rng.randrange(150, 250)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}"
    tf = role_session(
        ctx, "gha-terraform-apply", "GitHubActions", ua=TF_UA.format(api="iam#1.32.0"), ip=gha_ip
    )
    tf_start = t_change - timedelta(seconds=rng.randrange(50, 90))
    # terraform refresh reads, then the apply
    refresh = [
        ("GetRole", {"roleName": role["RoleName"]}),
        ("ListRolePolicies", {"roleName": role["RoleName"]}),
        ("ListAttachedRolePolicies", {"roleName": role["RoleName"]}),
        ("GetPolicy", {"policyArn": pol_ddb}),
        ("GetPolicyVersion", {"policyArn": pol_ddb, "versionId": "v3"}),
        ("GetPolicy", {"policyArn": pol_sqs}),
        ("GetPolicyVersion", {"policyArn": pol_sqs, "versionId": "v1"}),
        ("GetRole", {"roleName": exec_role["RoleName"]}),
        ("ListAttachedRolePolicies", {"roleName": exec_role["RoleName"]}),
        ("GetRole", {"roleName": "order-api-task"}),
    ]
    for i, (nm, prm) in enumerate(refresh):
        iam_call(ctx, tf_start + timedelta(seconds=i * 1.5 + rng.uniform(0, 1)), tf, nm, prm, read_only=True)
    detach = iam_call(
        ctx, t_change, tf, "DetachRolePolicy", {"roleName": role["RoleName"], "policyArn": pol_ddb}
    )
    iam_call(
        ctx,
        t_change + timedelta(seconds=2),
        tf,
        "TagRole",
        {"roleName": "order-api-task", "tags": [{"key": "cost-center", "value": "fulfillment"}]},
    )
    logs_tf = role_session(
        ctx, "gha-terraform-apply", "GitHubActions", ua=TF_UA.format(api="cloudwatchlogs#1.35.0"), ip=gha_ip
    )
    ct(
        ctx,
        t_change + timedelta(seconds=3),
        logs_tf,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        params={"logGroupName": "/ecs/order-api", "retentionInDays": 30},
    )
    # the SRE lengthens long polling on the queue a little before
    ct(
        ctx,
        t_sqs,
        sre,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        params={
            "queueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{queue}",
            "attributes": {"ReceiveMessageWaitTimeSeconds": "20"},
        },
    )
    ct(
        ctx,
        onset - timedelta(minutes=rng.randrange(20, 28)),
        sre,
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        params={
            "queueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{queue}",
            "attributeNames": ["All"],
        },
        read_only=True,
    )
    # a deploy of another service in the cluster
    ci = role_session(
        ctx,
        "gha-ecs-deploy",
        "GitHubActions",
        ua="aws-sdk-js/3.614.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.15.1 api/ecs#3.614.0",
        ip=gha_ip,
    )
    t_dep = onset + timedelta(minutes=rng.randrange(4, 20))
    rev2 = rng.randrange(100, 300)
    ct(
        ctx,
        t_dep,
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        params={
            "family": "order-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        response={
            "taskDefinition": {
                "taskDefinitionArn": ctx.arn("ecs", f"task-definition/order-api:{rev2}"),
                "family": "order-api",
                "revision": rev2,
                "status": "ACTIVE",
            }
        },
    )
    ct(
        ctx,
        t_dep + timedelta(seconds=4),
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        params={"cluster": cluster, "service": "order-api", "taskDefinition": f"order-api:{rev2}"},
        response={
            "service": {
                "serviceName": "order-api",
                "serviceArn": ctx.arn("ecs", f"service/{cluster}/order-api"),
                "desiredCount": 6,
                "status": "ACTIVE",
            }
        },
    )
    # the consumer's own credential use (AssumeRole by ECS for each task) a few times a day
    ecs_svc = service_principal("ecs-tasks.amazonaws.com")
    for task in tasks:
        for _k in range(3):
            t = start + timedelta(minutes=rng.randrange(0, int((now - start).total_seconds() // 60)))
            ct(
                ctx,
                t,
                ecs_svc,
                "sts.amazonaws.com",
                "AssumeRole",
                params={"roleArn": role["Arn"], "roleSessionName": task_id(task), "durationSeconds": 21600},
                response={
                    "credentials": {
                        "accessKeyId": ctx.key_id("ASIA"),
                        "sessionToken": "IQoJb3JpZ2luX2VjE" + ctx.alnum(24),
                        "expiration": (t + timedelta(hours=6)).strftime("%b %d, %Y, %I:%M:%S %p"),
                    },
                    "assumedRoleUser": {
                        "assumedRoleId": f"{role['RoleId']}:{task_id(task)}",
                        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/{role['RoleName']}/{task_id(task)}",
                    },
                },
                read_only=True,
            )

    local_q = (local_onset + timedelta(minutes=rng.randrange(1, 4))).replace(second=0)
    clock = f"{(local_q.hour - 1) % 12 + 1}:{local_q.minute:02d}{'am' if local_q.hour < 12 else 'pm'}"
    question = rng.choice(
        [
            f"order-events has been backing up since about {clock} and the consumer tasks all look healthy. what's going on?",
            f"The order-events DLQ alarm went off and the main queue's oldest message age keeps climbing since ~{clock}. Consumers are running. Why?",
        ]
    )
    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=question,
        alarm_event=None,
        timezone=zone,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": role["Arn"],
                "category": "change",
                "failure_mode": "iam-policy-detached-access-denied",
                "event_id": detach["eventID"],
            },
            "also_accept": [role["RoleName"], pol_ddb, "order-timeline-dynamodb-rw"],
            "actions": ["rollback"],
            "chain": [
                f"Terraform (gha-terraform-apply) detached order-timeline-dynamodb-rw from {role['RoleName']}",
                f"{service} tasks are denied dynamodb:PutItem on {table}",
                f"messages are not deleted, cycle {max_receives} times through {queue} and move to {dlq}",
                f"{queue} backlog and oldest-message age climb; {dlq} fills",
            ],
        },
    )
