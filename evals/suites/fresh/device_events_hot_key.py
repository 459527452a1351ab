"""One tenant's device fleet floods a single partition key of an on-demand DynamoDB table."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    REGIONS,
    UA_TF,
    AlarmSpec,
    Kit,
    alb,
    alb_minute,
    diurnal,
    healthy_targets,
    iam_role,
    iso,
    log_group,
    network,
    pick_day,
    routine_reads,
    security_group,
    target_group,
)

NAME = "device-events-hot-key"
TITLE = "ingest-gateway 503s and slow responses with no deploy"
SUMMARY = "A large tenant's fleet reconnects at once and hammers one partition key of the on-demand device-events table; BatchWriteItem throttles."

DDB = "dynamodb.amazonaws.com"
ECS = "ecs.amazonaws.com"


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    region, utc_off, tz = REGIONS[[0, 4, 3][kit.rng.randrange(3)]]
    kit.region = region
    day = pick_day(kit)
    zone = ZoneInfo(tz)
    local_onset = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(
        hours=kit.rng.uniform(8.5, 11.0)
    )
    onset = local_onset.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    start = (onset - timedelta(hours=kit.rng.uniform(4.5, 6))).replace(second=0)
    now = onset + timedelta(minutes=kit.rng.randint(38, 60))

    cluster = "telemetry-prod"
    svc = "ingest-gateway"
    table = "device-events"
    cfg_table = "tenant-config"
    queue = "ingest-retry"
    hot_tenant = f"t-{kit.rng.randint(1000, 9999)}"
    other_tenants = [f"t-{kit.rng.randint(1000, 9999)}" for _ in range(14)]
    created = day - timedelta(days=kit.rng.randint(200, 600))

    net = network(kit, "telemetry-prod", created)
    sg_alb = security_group(kit, net, "ingest-alb", "ingest ALB, devices over TLS", 443, None)
    sg_task = security_group(kit, net, "ingest-gateway-tasks", "ingest-gateway tasks from ALB", 8080, sg_alb)
    lb_arn, lb_dim = alb(kit, net, "telemetry-ingest", sg_alb, created)
    tg_arn, tg_dim = target_group(kit, net, "ingest-gateway-8080", 8080, lb_arn, "ip", "/healthz")
    task_role = iam_role(kit, "ingest-gateway-task", created, "ecs-tasks.amazonaws.com")
    log_group(kit, "/ecs/ingest-gateway", created, 14)
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    kit.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 14,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )
    td_rev = kit.rng.randint(180, 260)
    td = kit.arn("ecs", f"task-definition/{svc}:{td_rev}")
    svc_arn = kit.arn("ecs", f"service/{cluster}/{svc}")
    deployed = onset - timedelta(days=kit.rng.randint(2, 6), hours=kit.rng.randint(0, 8))
    n_tasks = 8
    kit.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": svc, "containerPort": 8080}],
            "status": "ACTIVE",
            "desiredCount": n_tasks,
            "runningCount": n_tasks,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": td,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": f"ecs-svc/{kit.rng.randint(10**18, 10**19 - 1)}",
                    "status": "PRIMARY",
                    "taskDefinition": td,
                    "desiredCount": n_tasks,
                    "pendingCount": 0,
                    "runningCount": n_tasks,
                    "failedTasks": 0,
                    "createdAt": iso(deployed),
                    "updatedAt": iso(deployed + timedelta(minutes=6)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": iso(created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [s for s, _ in net.subnets],
                    "securityGroups": [sg_task],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    table_arn = kit.arn("dynamodb", f"table/{table}")
    for name, keys, size in (
        (table, [("pk", "HASH"), ("sk", "RANGE")], kit.rng.randint(900, 2400) * 10**9),
        (cfg_table, [("tenantId", "HASH")], kit.rng.randint(20, 80) * 10**6),
    ):
        kit.res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
                "TableName": name,
                "KeySchema": [{"AttributeName": k, "KeyType": kt} for k, kt in keys],
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": size,
                "ItemCount": size // 700,
                "TableArn": kit.arn("dynamodb", f"table/{name}"),
                "TableId": kit.uuid(),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": iso(created),
                },
                "DeletionProtectionEnabled": True,
                "TableClassSummary": {"TableClass": "STANDARD"},
            },
        )
    q_url = f"https://sqs.{region}.amazonaws.com/{kit.account}/{queue}"
    kit.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": kit.arn("sqs", queue),
                "VisibilityTimeout": "60",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "MaximumMessageSize": "262144",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(created.timestamp()) + 86400 * 40),
                "SqsManagedSseEnabled": "true",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": kit.arn("sqs", f"{queue}-dlq"), "maxReceiveCount": 5}
                ),
            },
            "Tags": {"service": svc, "team": "telemetry"},
        },
    )
    tasks = [
        (kit.private_ip(f"{net.cidr16}.{16 * (i % 3 + 1)}"), net.subnets[i % 3][1]) for i in range(n_tasks)
    ]
    healthy_targets(kit, tg_arn, [(ip, 8080, az) for ip, az in tasks], deployed + timedelta(minutes=4))

    # --- load -------------------------------------------------------------------------------------
    base_wcu = kit.rng.uniform(1500, 2300)  # table-wide, per second, at peak
    hot_wcu_want = kit.rng.uniform(2600, 3600)  # the reconnect storm on one key
    part_cap = 1000.0
    ramp = timedelta(minutes=kit.rng.randint(3, 6))
    ddb = "AWS/DynamoDB"
    ecs_ns = "AWS/ECS"
    state: dict[datetime, tuple[float, float]] = {}
    t = start
    while t <= now:
        f = diurnal(t, utc_off, 0.3)
        normal = base_wcu * f * (1 + kit.rng.gauss(0, 0.03))
        hot_frac = 0.0
        if t >= onset:
            hot_frac = min(1.0, (t - onset) / ramp)
        hot_want = hot_wcu_want * hot_frac * (1 + kit.rng.gauss(0, 0.06))
        # the tenant's normal share of the hot key is small; partition ceiling ~1000 WCU/s
        hot_ok = min(hot_want, part_cap * kit.rng.uniform(0.9, 0.98)) if hot_want else 0.0
        rejected = max(0.0, hot_want - hot_ok)
        consumed = normal + hot_ok
        # items are ~1 KB (1 WCU); throttle events count per rejected item write, retries included
        throttle_events = rejected * 60 * 2.6
        batches_all_throttled = rejected * 60 / 25 * 0.08
        kit.put(ddb, "ConsumedWriteCapacityUnits", {"TableName": table}, t, round(consumed * 60, 1))
        kit.put(ddb, "ConsumedReadCapacityUnits", {"TableName": table}, t, round(normal * 0.07 * 60, 1))
        cfg_reads = (normal + hot_want) / 25 * 0.5 * 60 * 0.02
        kit.put(ddb, "ConsumedReadCapacityUnits", {"TableName": cfg_table}, t, round(cfg_reads, 1))
        lat = kit.noise(7.5 + (3.0 if rejected else 0), 0.07)
        nb = (normal + hot_ok) * 60 / 25
        kit.put(
            ddb,
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": "BatchWriteItem"},
            t,
            lat,
            "Milliseconds",
            samples=max(1, int(nb)),
            spread=(3.1, lat * kit.rng.uniform(5, 9)),
        )
        lat2 = kit.noise(3.2, 0.07)
        kit.put(
            ddb,
            "SuccessfulRequestLatency",
            {"TableName": cfg_table, "Operation": "GetItem"},
            t,
            lat2,
            "Milliseconds",
            samples=max(1, int(cfg_reads * 2)),
            spread=(1.4, lat2 * 6),
        )
        if throttle_events:
            kit.put(ddb, "WriteThrottleEvents", {"TableName": table}, t, round(throttle_events))
            if batches_all_throttled >= 1:
                kit.put(
                    ddb,
                    "ThrottledRequests",
                    {"TableName": table, "Operation": "BatchWriteItem"},
                    t,
                    float(round(batches_all_throttled)),
                )
        # devices post batches of ~25 readings; failures answered 503 after retries
        reqs = (normal + hot_want) * 60 / 25 * kit.rng.uniform(0.98, 1.02)
        failed_reqs = rejected * 60 / 25 * 0.55
        state[t] = (reqs, failed_reqs)
        med = 0.045 + (0.11 * hot_frac if rejected else 0)
        tail = 0.19 + (1.6 * hot_frac if rejected else 0)
        alb_minute(
            kit, lb_dim, tg_dim, t, reqs, failed_reqs, kit.noise(med, 0.05), kit.noise(tail, 0.06), n_tasks
        )
        cpu = 31 * (reqs / (base_wcu * 60 / 25)) * kit.rng.uniform(0.95, 1.05) + (9 if rejected else 0)
        kit.put(
            ecs_ns, "CPUUtilization", {"ClusterName": cluster, "ServiceName": svc}, t, min(97, cpu), "Percent"
        )
        mem = 41 + (6 * hot_frac) + kit.rng.uniform(-1, 1)
        kit.put(ecs_ns, "MemoryUtilization", {"ClusterName": cluster, "ServiceName": svc}, t, mem, "Percent")
        # retry queue: failed item groups are parked for a consumer that drains ~40/s
        t += timedelta(minutes=1)
    backlog = 0.0
    sq = "AWS/SQS"
    qd = {"QueueName": queue}
    t = start
    oldest = 0.0
    while t <= now:
        _, failed = state[t]
        sent = failed * 1.0 + kit.rng.randint(0, 6)
        drained = min(backlog + sent, 40 * 60 * kit.rng.uniform(0.9, 1.0))
        backlog = max(0.0, backlog + sent - drained)
        oldest = oldest + 60 if backlog > 2000 else kit.rng.uniform(0, 40)
        kit.put(sq, "NumberOfMessagesSent", qd, t, float(round(sent)))
        kit.put(sq, "NumberOfMessagesReceived", qd, t, float(round(drained)))
        kit.put(sq, "NumberOfMessagesDeleted", qd, t, float(round(drained * 0.995)))
        kit.put(sq, "ApproximateNumberOfMessagesVisible", qd, t, float(round(backlog)))
        kit.put(sq, "ApproximateAgeOfOldestMessage", qd, t, float(round(oldest)), "Seconds")
        kit.put(sq, "NumberOfEmptyReceives", qd, t, float(kit.rng.randint(50, 90) if backlog < 1 else 0))
        t += timedelta(minutes=1)

    # --- logs (Go, zerolog JSON) --------------------------------------------------------------------
    group = "/ecs/ingest-gateway"
    streams = [f"ingest-gateway/{svc}/{kit.hex(32)}" for _ in range(n_tasks)]
    t = start
    while t <= now:
        reqs, failed = state[t]
        for _ in range(2):
            at = kit.jitter(t, 59)
            tenant = kit.rng.choice([*other_tenants, hot_tenant])
            line = {
                "level": "info",
                "tenant": tenant,
                "items": 25,
                "unprocessed": 0,
                "dur_ms": kit.rng.randint(8, 40),
                "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
                "message": "batch stored",
            }
            kit.log(group, kit.rng.choice(streams), at, json.dumps(line, separators=(",", ":")))
        if failed:
            for _ in range(min(8, 2 + int(failed / 150))):
                at = kit.jitter(t, 59)
                tenant = hot_tenant if kit.rng.random() < 0.93 else kit.rng.choice(other_tenants[:2])
                hour = at.strftime("%Y%m%d%H")
                if kit.rng.random() < 0.6:
                    line = {
                        "level": "warn",
                        "tenant": tenant,
                        "pk": f"tenant#{tenant}#{hour}",
                        "unprocessed": kit.rng.randint(9, 25),
                        "attempt": kit.rng.randint(1, 3),
                        "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
                        "message": "BatchWriteItem returned unprocessed items, backing off",
                    }
                else:
                    line = {
                        "level": "error",
                        "tenant": tenant,
                        "pk": f"tenant#{tenant}#{hour}",
                        "error": (
                            "operation error DynamoDB: BatchWriteItem, exceeded maximum number of attempts, 3, "
                            f"https response error StatusCode: 400, RequestID: {kit.upper(52)}, "
                            "ProvisionedThroughputExceededException: Throughput exceeds the current capacity of your "
                            "table or index. DynamoDB is automatically scaling your table or index so please try again "
                            "shortly. If exceptions persist, check if you have a hot key: "
                            "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html"
                        ),
                        "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
                        "message": "store batch failed; parked on retry queue, answering 503",
                    }
                kit.log(group, kit.rng.choice(streams), at, json.dumps(line, separators=(",", ":")))
        if kit.rng.random() < 0.03:
            at = kit.jitter(t, 59)
            line = {
                "level": "warn",
                "tenant": kit.rng.choice(other_tenants),
                "device": f"dev-{kit.hex(10)}",
                "time": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z",
                "message": "clock skew > 300s in reading timestamps, clamping",
            }
            kit.log(group, kit.rng.choice(streams), at, json.dumps(line, separators=(",", ":")))
        t += timedelta(minutes=1)
    # ECS service events: steady state every ~6h
    t = start - timedelta(hours=kit.rng.uniform(0, 6))
    while t <= now:
        if t >= start:
            kit.event(
                "ecs",
                {
                    "service_arn": svc_arn,
                    "event": {
                        "id": kit.uuid(),
                        "createdAt": iso(t),
                        "message": f"(service {svc}) has reached a steady state.",
                    },
                },
            )
        t += timedelta(hours=6)

    # --- CloudTrail ---------------------------------------------------------------------------------
    eng = kit.sso_user(
        kit.rng.choice(["maria.gonzalez", "dev.patel", "sam.whitaker"]) + "@fleetwise.io",
        "TelemetryDeveloper",
        creation=onset - timedelta(minutes=70),
    )
    t_ttl = onset - timedelta(minutes=kit.rng.randint(17, 28), seconds=kit.rng.randint(0, 59))
    kit.ct(
        t_ttl - timedelta(minutes=2),
        eng,
        DDB,
        "DescribeTimeToLive",
        {"tableName": table},
        None,
        read_only=True,
    )
    kit.ct(
        t_ttl,
        eng,
        DDB,
        "UpdateTimeToLive",
        {"tableName": table, "timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}},
        {"timeToLiveSpecification": {"enabled": True, "attributeName": "expiresAt"}},
        resources=[{"accountId": kit.account, "type": "AWS::DynamoDB::Table", "ARN": table_arn}],
    )
    kit.ct(
        t_ttl + timedelta(seconds=40), eng, DDB, "DescribeTable", {"tableName": table}, None, read_only=True
    )
    ci = kit.role_session(
        "gha-telemetry-deploy",
        "GitHubActions",
        UA_TF.format(api="ecs#1.41.7"),
        kit.public_ip(),
        creation=onset - timedelta(minutes=20),
    )
    t_dep = onset - timedelta(minutes=kit.rng.randint(6, 14), seconds=kit.rng.randint(0, 59))
    other_svc = "billing-exporter"
    other_td = kit.arn("ecs", f"task-definition/{other_svc}:{kit.rng.randint(30, 90)}")
    kit.ct(
        t_dep - timedelta(seconds=20),
        ci,
        ECS,
        "RegisterTaskDefinition",
        {
            "family": other_svc,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": other_svc,
                    "image": f"{kit.account}.dkr.ecr.{region}.amazonaws.com/{other_svc}:{kit.hex(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": other_td,
                "family": other_svc,
                "revision": int(other_td.rsplit(":", 1)[1]),
                "status": "ACTIVE",
            }
        },
    )
    kit.ct(
        t_dep,
        ci,
        ECS,
        "UpdateService",
        {"cluster": cluster, "service": other_svc, "taskDefinition": other_td, "forceNewDeployment": False},
        {
            "service": {
                "serviceName": other_svc,
                "serviceArn": kit.arn("ecs", f"service/{cluster}/{other_svc}"),
                "clusterArn": cluster_arn,
                "taskDefinition": other_td,
                "desiredCount": 2,
                "runningCount": 2,
                "status": "ACTIVE",
            }
        },
    )
    for i in range(3):
        kit.ct(
            kit.jitter(t_dep + timedelta(seconds=30 * (i + 1)), 10),
            ci,
            ECS,
            "DescribeServices",
            {"cluster": cluster, "services": [other_svc]},
            None,
            read_only=True,
        )
    obs = kit.role_session(
        "datadog-integration",
        f"dd-{kit.hex(8)}",
        "aws-sdk-go/1.50.38 (go1.21.8; linux; amd64)",
        kit.public_ip(),
        creation=start,
    )
    routine_reads(
        kit,
        start,
        now,
        [
            (obs, DDB, "DescribeTable", {"tableName": table}),
            (obs, DDB, "ListTables", None),
            (obs, ECS, "ListClusters", None),
            (obs, ECS, "DescribeServices", {"cluster": cluster, "services": [svc]}),
            (obs, "sqs.amazonaws.com", "ListQueues", None),
            (obs, "elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers", None),
            (eng, DDB, "DescribeContinuousBackups", {"tableName": table}),
        ],
        kit.rng.randint(24, 32),
    )
    task_p = kit.role_session(
        task_role["RoleName"],
        kit.hex(32),
        "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/ssm#1.49.4",
        kit.public_ip(),
        creation=start,
    )
    for t_s in sorted(kit.jitter(start, (now - start).total_seconds()) for _ in range(4)):
        kit.ct(
            t_s,
            task_p,
            "ssm.amazonaws.com",
            "GetParametersByPath",
            {"path": "/telemetry/ingest-gateway/", "recursive": True, "withDecryption": True},
            None,
            read_only=True,
        )

    # --- alarms ---------------------------------------------------------------------------------------
    topic = kit.arn("sns", "telemetry-alerts")
    fine = start + timedelta(minutes=10)
    kit.alarm(
        AlarmSpec(
            "ingest-alb-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": lb_dim},
            "Sum",
            300,
            1,
            500.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        fine,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "ingest-retry-oldest-message",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Maximum",
            300,
            3,
            1800.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        fine,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "ingest-gateway-cpu-high",
            ecs_ns,
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": svc},
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        fine,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "tenant-config-read-throttles",
            ddb,
            "ReadThrottleEvents",
            {"TableName": cfg_table},
            "Sum",
            300,
            1,
            10.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        fine,
        now,
    )

    clock = onset.astimezone(zone)
    asked = clock - timedelta(minutes=clock.minute % 5)
    hh = asked.strftime("%I:%M").lstrip("0")
    question = (
        f"ingest-gateway has been answering 503s to devices and p99 went through the roof since about "
        f"{hh}{'am' if asked.hour < 12 else 'pm'}. Nothing of ours was deployed. What's going on?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {"resource": table, "category": "limit", "failure_mode": "hot-partition-key"},
        "also_accept": [table_arn],
        "actions": ["reconfigure", "block"],
        "chain": [
            f"tenant {hot_tenant}'s devices write to one partition key (tenant#{hot_tenant}#<hour>) of {table}",
            f"the key's partition is held at ~1000 WCU/s; BatchWriteItem items are rejected (WriteThrottleEvents) although {table} is on-demand",
            f"{svc} exhausts retries, parks batches on {queue} and answers 503",
            "telemetry-ingest ALB target 5XX and latency rise",
        ],
    }
    return kit.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": tz},
            "truth": truth,
        },
        now,
    )
