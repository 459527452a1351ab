"""orders-checkout: the third-party tax API it calls starts hanging; quote and confirm calls time out at the
client's 4s limit and return 502, forty minutes after an unrelated deploy of the service."""

from __future__ import annotations

import json
import zoneinfo
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_b as kb
from evals.suites.fresh import _kit_h as kh

NAME = "checkout-tax-vendor-timeouts"
TITLE = "checkout errors and slowness in the afternoon"
SUMMARY = (
    "The external tax-calculation API degrades (hangs, some 503s); orders-checkout's calls to it time out "
    "at 4s and quote/confirm return 502, 40 minutes after an innocent ECS deploy of orders-checkout."
)

J = kb.J
VENDORS = [
    ("api.taxbridge.io", "TaxBridge"),
    ("api.levyworks.com", "LevyWorks"),
    ("rest.tallyrate.net", "TallyRate"),
]


def _task_id(kit: kb.Kit) -> str:
    return kit.hex(32)


def build(seed: int) -> Bundle:
    kit = kb.Kit(NAME, seed, region="us-east-1")
    rng = kit.rng
    onset = kit.clock(onset_hour=(18, 21), hours_before=7, minutes_after=rng.randint(31, 42))
    acct, region = kit.account, kit.region
    host, vendor = rng.choice(VENDORS)
    tz = zoneinfo.ZoneInfo("America/Chicago")
    company = rng.choice(["hollowpine", "kestrelgoods", "maplewharf"])

    # --- network ----------------------------------------------------------------------------------------
    net = kb.Net(kit, f"{company}-prod", rng.choice([12, 48, 64]))
    nats = []
    for i, az in enumerate(net.azs):
        nat = kit.ec2id("nat")
        eip = kit.public_ip()
        kit.res(
            "ec2",
            "NatGateway",
            {
                "CreateTime": kb.iso(kit.start - timedelta(days=rng.randint(300, 800))),
                "NatGatewayAddresses": [
                    {
                        "AllocationId": kit.ec2id("eipalloc"),
                        "NetworkInterfaceId": kit.ec2id("eni"),
                        "PrivateIp": kit.ip(f"10.{net.cidr.split('.')[1]}.{i * 4}"),
                        "PublicIp": eip,
                        "IsPrimary": True,
                        "Status": "succeeded",
                    }
                ],
                "NatGatewayId": nat,
                "State": "available",
                "SubnetId": net.public[i],
                "VpcId": net.vpc_id,
                "Tags": kb.name_tags(f"{company}-prod-nat-{az[-1]}"),
                "ConnectivityType": "public",
            },
        )
        nats.append(nat)
        kh.route_table(
            kit,
            net,
            f"{company}-prod-private-{az[-1]}",
            [net.private[i]],
            [
                {
                    "DestinationCidrBlock": "0.0.0.0/0",
                    "NatGatewayId": nat,
                    "Origin": "CreateRoute",
                    "State": "active",
                }
            ],
        )

    # --- ECS service behind an ALB --------------------------------------------------------------------
    alb_sg = net.sg("orders-checkout-alb", "orders-checkout ALB", [kb.tcp_from_cidr(443, "0.0.0.0/0")])
    svc_sg = net.sg("orders-checkout-tasks", "orders-checkout tasks", [kb.tcp_from_sg(3000, alb_sg, "ALB")])
    alb = kb.Alb(
        kit,
        net,
        "orders-checkout-prod",
        "orders-checkout-3000",
        alb_sg,
        port=3000,
        target_type="ip",
        health_path="/healthz",
    )
    alb.listener(443, "HTTPS", cert=kit.arn("acm", f"certificate/{kit.uuid()}"))
    cluster = "commerce-prod"
    svc = "orders-checkout"
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    svc_arn = kit.arn("ecs", f"service/{cluster}/{svc}")
    rev_old = rng.randint(80, 160)
    rev_new = rev_old + 1
    v_old = f"2.{rng.randint(30, 48)}.{rng.randint(0, 6)}"
    major, minor, _ = v_old.split(".")
    v_new = f"{major}.{int(minor) + 1}.0"
    ecr = f"{acct}.dkr.ecr.{region}.amazonaws.com/orders-checkout"
    deploy_t = onset - timedelta(minutes=rng.randint(38, 43), seconds=rng.randint(0, 59))
    task_role = kh.iam_role(
        kit,
        "orders-checkout-task",
        service="ecs-tasks.amazonaws.com",
        created=kit.start - timedelta(days=400),
        desc="orders-checkout task role",
        inline={
            "orders-data": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "dynamodb:GetItem",
                            "dynamodb:PutItem",
                            "dynamodb:UpdateItem",
                            "dynamodb:Query",
                        ],
                        "Resource": [
                            kit.arn("dynamodb", "table/orders-carts"),
                            kit.arn("dynamodb", "table/orders"),
                        ],
                    },
                    {
                        "Effect": "Allow",
                        "Action": [
                            "xray:PutTraceSegments",
                            "xray:PutTelemetryRecords",
                            "xray:GetSamplingRules",
                        ],
                        "Resource": "*",
                    },
                ],
            }
        },
    )
    exec_role = f"arn:aws:iam::{acct}:role/ecsTaskExecutionRole"
    secret_arn = kit.arn("secretsmanager", f"secret:prod/orders-checkout/tax-api-key-{kit.upper(6)}")

    def taskdef(rev: int, version: str, registered: datetime) -> J:
        return {
            "taskDefinitionArn": kit.arn("ecs", f"task-definition/orders-checkout:{rev}"),
            "containerDefinitions": [
                {
                    "name": "orders-checkout",
                    "image": f"{ecr}:{version}",
                    "cpu": 0,
                    "portMappings": [
                        {"containerPort": 3000, "hostPort": 3000, "protocol": "tcp", "name": "http"}
                    ],
                    "essential": True,
                    "environment": [
                        {"name": "NODE_ENV", "value": "production"},
                        {"name": "PORT", "value": "3000"},
                        {"name": "TAX_API_BASE_URL", "value": f"https://{host}/v2"},
                        {"name": "TAX_API_TIMEOUT_MS", "value": "4000"},
                        {"name": "CARTS_TABLE", "value": "orders-carts"},
                        {"name": "ORDERS_TABLE", "value": "orders"},
                        {"name": "AWS_XRAY_DAEMON_ADDRESS", "value": "127.0.0.1:2000"},
                    ],
                    "secrets": [{"name": "TAX_API_KEY", "valueFrom": secret_arn}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/orders-checkout",
                            "awslogs-region": region,
                            "awslogs-stream-prefix": "app",
                        },
                    },
                    "healthCheck": {
                        "command": ["CMD-SHELL", "wget -qO- http://127.0.0.1:3000/healthz || exit 1"],
                        "interval": 15,
                        "timeout": 5,
                        "retries": 3,
                        "startPeriod": 20,
                    },
                },
                {
                    "name": "xray-daemon",
                    "image": "public.ecr.aws/xray/aws-xray-daemon:3.3.12",
                    "cpu": 32,
                    "memoryReservation": 64,
                    "portMappings": [{"containerPort": 2000, "hostPort": 2000, "protocol": "udp"}],
                    "essential": False,
                },
            ],
            "family": "orders-checkout",
            "taskRoleArn": task_role,
            "executionRoleArn": exec_role,
            "networkMode": "awsvpc",
            "revision": rev,
            "status": "ACTIVE",
            "compatibilities": ["EC2", "FARGATE"],
            "requiresCompatibilities": ["FARGATE"],
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
            "cpu": "1024",
            "memory": "2048",
            "registeredAt": kb.iso(registered),
            "registeredBy": f"arn:aws:sts::{acct}:assumed-role/gha-orders-deploy/GitHubActions",
        }

    td_old = taskdef(rev_old, v_old, kit.start - timedelta(days=rng.randint(2, 6)))
    td_new = taskdef(rev_new, v_new, deploy_t - timedelta(seconds=rng.randint(3, 9)))
    kit.res("ecs", "TaskDefinition", td_old)
    kit.res("ecs", "TaskDefinition", td_new)

    n_tasks = 4
    old_tasks = [_task_id(kit) for _ in range(n_tasks)]
    new_tasks = [_task_id(kit) for _ in range(n_tasks)]
    new_ips = [
        kit.ip(f"10.{net.cidr.split('.')[1]}.{16 + (i % 3) * 4 + rng.randint(0, 3)}") for i in range(n_tasks)
    ]
    old_ips = [
        kit.ip(f"10.{net.cidr.split('.')[1]}.{16 + (i % 3) * 4 + rng.randint(0, 3)}") for i in range(n_tasks)
    ]
    started = deploy_t + timedelta(seconds=rng.randint(50, 80))
    steady = deploy_t + timedelta(minutes=rng.randint(6, 9))
    for i, tid in enumerate(new_tasks):
        az = net.azs[i % 3]
        kit.res(
            "ecs",
            "Task",
            {
                "attachments": [
                    {
                        "id": kit.uuid(),
                        "type": "ElasticNetworkInterface",
                        "status": "ATTACHED",
                        "details": [
                            {"name": "subnetId", "value": net.private[i % 3]},
                            {"name": "networkInterfaceId", "value": kit.ec2id("eni")},
                            {"name": "privateIPv4Address", "value": new_ips[i]},
                        ],
                    }
                ],
                "availabilityZone": az,
                "clusterArn": cluster_arn,
                "connectivity": "CONNECTED",
                "connectivityAt": kb.iso(started - timedelta(seconds=30)),
                "containers": [
                    {
                        "containerArn": kit.arn("ecs", f"container/{cluster}/{tid}/{kit.uuid()}"),
                        "taskArn": kit.arn("ecs", f"task/{cluster}/{tid}"),
                        "name": "orders-checkout",
                        "image": f"{ecr}:{v_new}",
                        "lastStatus": "RUNNING",
                        "healthStatus": "HEALTHY",
                        "cpu": "0",
                    }
                ],
                "cpu": "1024",
                "createdAt": kb.iso(deploy_t + timedelta(seconds=4)),
                "desiredStatus": "RUNNING",
                "group": f"service:{svc}",
                "healthStatus": "HEALTHY",
                "lastStatus": "RUNNING",
                "launchType": "FARGATE",
                "memory": "2048",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "startedAt": kb.iso(started + timedelta(seconds=rng.randint(0, 20))),
                "startedBy": "ecs-svc/" + "".join(rng.choice("0123456789") for _ in range(19)),
                "taskArn": kit.arn("ecs", f"task/{cluster}/{tid}"),
                "taskDefinitionArn": td_new["taskDefinitionArn"],
                "version": 4,
                "ephemeralStorage": {"sizeInGiB": 20},
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": alb.tg_arn,
                "target": {"Id": new_ips[i], "Port": 3000, "AvailabilityZone": az},
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": kb.iso(started + timedelta(seconds=25)),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": alb.tg_arn,
                "target": {"Id": new_ips[i], "Port": 3000, "AvailabilityZone": az},
                "health": {"State": "healthy"},
                "timestamp": kb.iso(started + timedelta(seconds=25 + 45 + rng.randint(0, 20))),
            },
        )
    dep_id = "ecs-svc/" + "".join(rng.choice("0123456789") for _ in range(19))
    events: list[J] = [
        {
            "id": kit.uuid(),
            "createdAt": kb.iso(steady),
            "message": f"(service {svc}) has reached a steady state.",
        },
        {
            "id": kit.uuid(),
            "createdAt": kb.iso(steady - timedelta(seconds=2)),
            "message": f"(service {svc}) (deployment {dep_id}) deployment completed.",
        },
        {
            "id": kit.uuid(),
            "createdAt": kb.iso(steady - timedelta(minutes=1, seconds=10)),
            "message": f"(service {svc}) has stopped {n_tasks} running tasks: "
            + " ".join(f"(task {t})" for t in old_tasks)
            + ".",
        },
        {
            "id": kit.uuid(),
            "createdAt": kb.iso(started + timedelta(minutes=2)),
            "message": f"(service {svc}) has begun draining connections on {n_tasks} tasks.",
        },
        {
            "id": kit.uuid(),
            "createdAt": kb.iso(started + timedelta(minutes=2, seconds=1)),
            "message": f"(service {svc}) deregistered {n_tasks} targets in (target-group {alb.tg_arn})",
        },
        {
            "id": kit.uuid(),
            "createdAt": kb.iso(started + timedelta(seconds=40)),
            "message": f"(service {svc}) registered {n_tasks} targets in (target-group {alb.tg_arn})",
        },
        {
            "id": kit.uuid(),
            "createdAt": kb.iso(deploy_t + timedelta(seconds=6)),
            "message": f"(service {svc}) has started {n_tasks} tasks: "
            + " ".join(f"(task {t})" for t in new_tasks)
            + ".",
        },
    ]
    t_ss = kit.start + timedelta(hours=rng.randint(0, 2), minutes=rng.randint(0, 59))
    while t_ss < deploy_t:
        events.append(
            {
                "id": kit.uuid(),
                "createdAt": kb.iso(t_ss),
                "message": f"(service {svc}) has reached a steady state.",
            }
        )
        t_ss += timedelta(hours=6)
    kit.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": rng.randint(28, 44),
            "pendingTasksCount": 0,
            "activeServicesCount": rng.randint(9, 14),
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "defaultCapacityProviderStrategy": [],
        },
    )
    kit.res(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": svc,
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": alb.tg_arn, "containerName": "orders-checkout", "containerPort": 3000}
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": n_tasks,
            "runningCount": n_tasks,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": td_new["taskDefinitionArn"],
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": td_new["taskDefinitionArn"],
                    "desiredCount": n_tasks,
                    "pendingCount": 0,
                    "runningCount": n_tasks,
                    "failedTasks": 0,
                    "createdAt": kb.iso(deploy_t),
                    "updatedAt": kb.iso(steady),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": net.private,
                            "securityGroups": [svc_sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment " + dep_id + " completed.",
                }
            ],
            "events": sorted(events, key=lambda e: str(e["createdAt"]), reverse=True),
            "createdAt": kb.iso(kit.start - timedelta(days=rng.randint(300, 700))),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": net.private,
                    "securityGroups": [svc_sg],
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
    for tbl, pk in (("orders-carts", "cartId"), ("orders", "orderId")):
        kh.ddb_table(
            kit,
            tbl,
            pk=pk,
            sk=None,
            attrs={pk: "S"},
            created=kit.start - timedelta(days=rng.randint(400, 900)),
            items=rng.randint(3_000_000, 40_000_000),
            avg_item_bytes=rng.randint(600, 1400),
        )
    kit.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": "prod/orders-checkout/tax-api-key",
            "Description": f"{vendor} API key for orders-checkout",
            "LastChangedDate": kb.iso(kit.start - timedelta(days=rng.randint(40, 120))),
            "LastAccessedDate": kb.iso(deploy_t.replace(hour=0, minute=0, second=0)),
            "Tags": [{"Key": "service", "Value": "orders-checkout"}],
            "SecretVersionsToStages": {kit.uuid(): ["AWSCURRENT"]},
            "CreatedDate": kb.iso(kit.start - timedelta(days=rng.randint(300, 700))),
        },
    )
    log_group = "/ecs/orders-checkout"
    kb.log_group(kit, log_group, retention=14)

    # --- traffic and the vendor's health --------------------------------------------------------------
    base = rng.uniform(900, 1500)
    quote_frac, confirm_frac = rng.uniform(0.22, 0.27), rng.uniform(0.05, 0.07)
    vend_frac = quote_frac + confirm_frac
    timeout_share = rng.uniform(0.38, 0.55)
    v503_share = rng.uniform(0.04, 0.08)
    slow_share = rng.uniform(0.22, 0.3)
    peak = rng.uniform(18.5, 20.5)

    def rps(t: datetime) -> float:
        return base * kit.diurnal(t, utc_peak=peak, floor=0.25)

    def bad(t: datetime) -> float:
        """How degraded the vendor is at t (0..1), ramping over ~4 minutes."""
        x = (t - onset).total_seconds() / 240
        return max(0.0, min(1.0, x))

    def fail_frac(t: datetime) -> float:
        return bad(t) * (timeout_share + v503_share)

    def t5xx(t: datetime) -> float:
        return 0.08 + rps(t) * vend_frac * fail_frac(t)

    def deploying(t: datetime) -> bool:
        return deploy_t <= t < steady

    alb.metrics(
        rps,
        t5xx=t5xx,
        latency=lambda t: (0.09, 0.5),
        healthy=lambda t: float(n_tasks * 2 if deploying(t) and t >= started else n_tasks),
        t4xx_frac=0.025,
    )
    kh.drop_series(kit, "AWS/ApplicationELB", "TargetResponseTime")

    def parts(t: datetime) -> list[tuple[float, float, float]]:
        b = bad(t)
        vf = vend_frac * b
        return [
            (0.085, 0.55, 1 - vf),
            (4.02, 0.004, vf * timeout_share),
            (2.3, 0.35, vf * slow_share),
            (0.6, 0.3, vf * v503_share),
            (0.19, 0.4, vf * (1 - timeout_share - slow_share - v503_share)),
        ]

    for dims in ({"LoadBalancer": alb.dim}, {"LoadBalancer": alb.dim, "TargetGroup": alb.tg_dim}):
        kh.mix_dist(
            kit,
            "AWS/ApplicationELB",
            "TargetResponseTime",
            dims,
            "Seconds",
            parts,
            lambda t: min(rps(t), 400.0),
        )

    ecs_dims = {"ClusterName": cluster, "ServiceName": svc}
    kit.series("AWS/ECS", "CPUUtilization", ecs_dims, "Percent", lambda t: kit.jitter(7 + rps(t) / 60, 0.06))
    kit.series(
        "AWS/ECS",
        "MemoryUtilization",
        ecs_dims,
        "Percent",
        lambda t: kit.jitter(31 + (4 if t > steady else 0), 0.02),
    )

    def nat_metrics(nat: str, s: float) -> None:
        def conns(t: datetime) -> float:
            calls_per_s = rps(t) * vend_frac * s / 60
            hold = 0.25 + bad(t) * timeout_share * 4.0 + bad(t) * slow_share * 2.3
            return kit.jitter(40 * s + calls_per_s * hold * 6, 0.05)

        def opened(t: datetime) -> float:
            return rps(t) * s * 0.12 + rps(t) * vend_frac * s * 0.05

        nd = {"NatGatewayId": nat}
        ns = "AWS/NATGateway"
        kit.series(ns, "ActiveConnectionCount", nd, "Count", conns, digits=0)
        kit.series(ns, "ConnectionEstablishedCount", nd, "Count", opened, count=True)
        kit.series(ns, "ConnectionAttemptCount", nd, "Count", opened, count=True)
        kit.series(ns, "ErrorPortAllocation", nd, "Count", lambda t: 0.0, digits=0)
        kit.series(ns, "PacketsDropCount", nd, "Count", lambda t: 0.0, digits=0)
        kit.series(ns, "IdleTimeoutCount", nd, "Count", lambda t: 0.3, count=True)
        kit.series(
            ns, "BytesOutToDestination", nd, "Bytes", lambda t: kit.jitter(rps(t) * s * 2100, 0.08), digits=0
        )

    for nat, share in zip(nats, (0.36, 0.33, 0.31), strict=True):
        nat_metrics(nat, share)

    def table_metrics(tbl: str, frac: float) -> None:
        def rate(t: datetime) -> float:
            return rps(t) * frac

        kh.ddb_op_metrics(kit, tbl, "GetItem", rate, lambda t: (3.2, 0.35), returned=1.0)
        kit.series(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": tbl},
            "Count",
            lambda t: rate(t) * 0.5,
            count=True,
        )
        kit.series(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": tbl},
            "Count",
            lambda t: rps(t) * confirm_frac * (1 - fail_frac(t)) * 2,
            count=True,
            skip_zero=True,
        )

    table_metrics("orders-carts", 0.55)
    table_metrics("orders", confirm_frac)

    # --- logs and traces ------------------------------------------------------------------------------
    carts = [kit.hex(8) + "-" + kit.hex(4) for _ in range(300)]
    host_of: dict[str, str] = {}
    for i, tid in enumerate(old_tasks):
        host_of[tid] = "ip-" + old_ips[i].replace(".", "-") + ".ec2.internal"
    for i, tid in enumerate(new_tasks):
        host_of[tid] = "ip-" + new_ips[i].replace(".", "-") + ".ec2.internal"

    def stream(tid: str) -> str:
        return f"app/orders-checkout/{tid}"

    def pino(t: datetime, tid: str, level: int, msg: str, **extra: object) -> None:
        rec: J = {"level": level, "time": kb.ms(t), "pid": 1, "hostname": host_of[tid]}
        rec.update(extra)
        rec["msg"] = msg
        kit.log(log_group, stream(tid), t, json.dumps(rec, separators=(",", ":")))

    # startup of the new tasks
    for tid in new_tasks:
        at = started + timedelta(seconds=rng.randint(0, 12))
        pino(at, tid, 30, f"orders-checkout {v_new} starting", node="v20.15.1")
        pino(
            at + timedelta(milliseconds=rng.randint(300, 700)),
            tid,
            30,
            "tax client configured",
            baseUrl=f"https://{host}/v2",
            timeoutMs=4000,
        )
        pino(
            at + timedelta(milliseconds=rng.randint(800, 1400)),
            tid,
            30,
            "Server listening at http://0.0.0.0:3000",
        )
    # shutdown of the old tasks
    for tid in old_tasks:
        at = steady - timedelta(minutes=1, seconds=rng.randint(12, 30))
        pino(at, tid, 30, "received SIGTERM, closing server")
        pino(at + timedelta(milliseconds=rng.randint(200, 900)), tid, 30, "server closed")

    segs = 0
    t = kit.fine_from
    while t < kit.now:
        tasks = new_tasks if t >= started + timedelta(minutes=2) else old_tasks
        version = v_new if tasks is new_tasks else v_old
        n = kit.poisson(3.5 * kit.diurnal(t, utc_peak=peak, floor=0.25) + 1)
        for _ in range(n):
            at = t + timedelta(milliseconds=rng.randint(0, 59_999))
            tid = rng.choice(tasks)
            r = rng.random()
            reqid = f"req-{rng.randint(1, 99999):x}"
            cart = rng.choice(carts)
            calls_vendor = r < vend_frac
            path = (
                f"/v1/checkout/{cart}/quote"
                if r < quote_frac
                else f"/v1/checkout/{cart}/confirm"
                if r < vend_frac
                else f"/v1/carts/{cart}"
                if r < 0.85
                else "/v1/shipping/options"
            )
            method = "GET" if r >= vend_frac else "POST"
            status, total_ms = 200, rng.uniform(20, 120)
            vendor_status: int | None = None
            vendor_ms = 0.0
            outcome = "ok"
            if calls_vendor:
                b = bad(at)
                x = rng.random()
                if x < b * timeout_share:
                    outcome, vendor_ms = "timeout", 4000 + rng.uniform(1, 9)
                elif x < b * (timeout_share + v503_share):
                    outcome, vendor_ms, vendor_status = "503", rng.uniform(300, 900), 503
                elif x < b * (timeout_share + v503_share + slow_share):
                    vendor_ms, vendor_status = rng.uniform(1300, 3800), 200
                else:
                    vendor_ms, vendor_status = rng.uniform(110, 320), 200
                total_ms = vendor_ms + rng.uniform(15, 60)
                if outcome != "ok":
                    status = 502
                elif r >= quote_frac:
                    status = 201
            tp = "/v2/tax/calculate" if r < quote_frac else "/v2/tax/transactions"
            if outcome == "timeout":
                pino(
                    at + timedelta(milliseconds=total_ms - 5),
                    tid,
                    50,
                    "tax provider request failed",
                    reqId=reqid,
                    provider=vendor.lower(),
                    url=f"https://{host}{tp}",
                    err={
                        "type": "AxiosError",
                        "message": "timeout of 4000ms exceeded",
                        "stack": "AxiosError: timeout of 4000ms exceeded\n    at RedirectableRequest.handleRequestTimeout (/usr/src/app/node_modules/axios/dist/node/axios.cjs:3176:16)\n    at RedirectableRequest.emit (node:events:519:28)\n    at Timeout.<anonymous> (/usr/src/app/node_modules/follow-redirects/index.js:210:12)\n    at listOnTimeout (node:internal/timers:581:17)\n    at process.processTimers (node:internal/timers:519:7)\n    at Axios.request (/usr/src/app/node_modules/axios/dist/node/axios.cjs:4287:41)\n    at async TaxClient.post (/usr/src/app/dist/clients/tax.js:48:26)",
                        "code": "ECONNABORTED",
                    },
                )
            elif outcome == "503":
                pino(
                    at + timedelta(milliseconds=total_ms - 5),
                    tid,
                    50,
                    "tax provider request failed",
                    reqId=reqid,
                    provider=vendor.lower(),
                    url=f"https://{host}{tp}",
                    err={
                        "type": "AxiosError",
                        "message": "Request failed with status code 503",
                        "stack": "AxiosError: Request failed with status code 503\n    at settle (/usr/src/app/node_modules/axios/dist/node/axios.cjs:2031:12)\n    at IncomingMessage.handleStreamEnd (/usr/src/app/node_modules/axios/dist/node/axios.cjs:3148:11)\n    at IncomingMessage.emit (node:events:531:35)\n    at endReadableNT (node:internal/streams/readable:1696:12)\n    at process.processTicksAndRejections (node:internal/process/task_queues:82:21)\n    at async TaxClient.post (/usr/src/app/dist/clients/tax.js:48:26)",
                        "code": "ERR_BAD_RESPONSE",
                        "status": 503,
                    },
                )
            elif calls_vendor and vendor_ms > 1200:
                pino(
                    at + timedelta(milliseconds=total_ms - 3),
                    tid,
                    40,
                    "slow tax provider response",
                    reqId=reqid,
                    provider=vendor.lower(),
                    durationMs=round(vendor_ms),
                )
            pino(
                at + timedelta(milliseconds=total_ms),
                tid,
                30 if status < 500 else 40,
                "request completed",
                reqId=reqid,
                req={"method": method, "url": path},
                res={"statusCode": status},
                responseTime=round(total_ms, 3),
            )
            # X-Ray: the sampler keeps about a third of these
            if rng.random() < 0.35:
                segs += 1
                st = at.timestamp()
                en = st + total_ms / 1000
                subs: list[J] = []
                if path.startswith("/v1/carts") or calls_vendor:
                    d0 = st + rng.uniform(0.002, 0.006)
                    subs.append(
                        {
                            "id": kh.xray_id(kit),
                            "name": "DynamoDB",
                            "start_time": round(d0, 3),
                            "end_time": round(d0 + rng.uniform(0.003, 0.009), 3),
                            "namespace": "aws",
                            "http": {"response": {"status": 200, "content_length": rng.randint(300, 1800)}},
                            "aws": {
                                "operation": "GetItem",
                                "region": region,
                                "request_id": kh.ddb_request_id(kit),
                                "retries": 0,
                                "table_name": "orders-carts",
                            },
                        }
                    )
                if calls_vendor:
                    v0 = st + rng.uniform(0.012, 0.03)
                    vsub: J = {
                        "id": kh.xray_id(kit),
                        "name": host,
                        "start_time": round(v0, 3),
                        "end_time": round(v0 + vendor_ms / 1000, 3),
                        "namespace": "remote",
                        "http": {"request": {"url": f"https://{host}{tp}", "method": "POST"}},
                    }
                    if outcome == "timeout":
                        vsub["fault"] = True
                        vsub["cause"] = {
                            "working_directory": "/usr/src/app",
                            "exceptions": [
                                {
                                    "id": kh.xray_id(kit),
                                    "message": "socket hang up",
                                    "type": "Error",
                                    "remote": True,
                                    "stack": [
                                        {
                                            "path": "node:_http_client",
                                            "line": 475,
                                            "label": "TLSSocket.socketCloseListener",
                                        },
                                        {"path": "node:events", "line": 531, "label": "TLSSocket.emit"},
                                    ],
                                }
                            ],
                        }
                    else:
                        vsub["http"]["response"] = {
                            "status": vendor_status,
                            "content_length": rng.randint(400, 2600) if vendor_status == 200 else 97,
                        }
                        if vendor_status and vendor_status >= 500:
                            vsub["fault"] = True
                    subs.append(vsub)
                seg: J = {
                    "id": kh.xray_id(kit),
                    "trace_id": kit.trace_id(at),
                    "name": "orders-checkout",
                    "start_time": round(st, 3),
                    "end_time": round(en, 3),
                    "origin": "AWS::ECS::Container",
                    "http": {
                        "request": {
                            "method": method,
                            "url": f"https://checkout.{company}.com{path}",
                            "client_ip": kit.public_ip(),
                            "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                            "x_forwarded_for": True,
                        },
                        "response": {"status": status, "content_length": rng.randint(200, 4000)},
                    },
                    "aws": {
                        "ecs": {"container": host_of[tid], "container_id": kit.hex(12)},
                        "xray": {
                            "sdk": "X-Ray for Node.js",
                            "sdk_version": "3.9.0",
                            "package": "aws-xray-sdk",
                        },
                    },
                    "service": {"version": version, "runtime": "node", "runtime_version": "v20.15.1"},
                    "subsegments": subs,
                }
                if status >= 500:
                    seg["fault"] = True
                kit.trace(seg)
        if rng.random() < 0.025:
            tid = rng.choice(tasks)
            at = t + timedelta(seconds=rng.randint(0, 59))
            pino(
                at,
                tid,
                40,
                "cart not found, returning 404",
                reqId=f"req-{rng.randint(1, 99999):x}",
                cartId=rng.choice(carts),
            )
        if rng.random() < 0.015:
            tid = rng.choice(tasks)
            at = t + timedelta(seconds=rng.randint(0, 59))
            pino(
                at,
                tid,
                40,
                "shipping options cache miss rate high",
                missRate=round(rng.uniform(0.3, 0.45), 2),
            )
        t += timedelta(minutes=1)
    del segs

    # --- alarms -----------------------------------------------------------------------------------------
    topic = kit.arn("sns", "commerce-oncall")
    lb = {"LoadBalancer": alb.dim}
    kit.alarm(
        "orders-checkout-5xx",
        ns="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=lb,
        stat="Sum",
        period=60,
        evals=3,
        threshold=20,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )
    kit.alarm(
        "orders-checkout-p90-latency",
        ns="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=lb,
        stat="p90",
        period=60,
        evals=5,
        to_alarm=3,
        threshold=1.0,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "orders-checkout-cpu",
        ns="AWS/ECS",
        metric="CPUUtilization",
        dims=ecs_dims,
        stat="Average",
        period=300,
        evals=2,
        threshold=80,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        "orders-checkout-unhealthy-targets",
        ns="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims={"LoadBalancer": alb.dim, "TargetGroup": alb.tg_dim},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0,
        op="GreaterThanThreshold",
        topic=topic,
    )
    kit.alarm(
        f"{company}-prod-nat-port-allocation",
        ns="AWS/NATGateway",
        metric="ErrorPortAllocation",
        dims={"NatGatewayId": nats[0]},
        stat="Sum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
        topic=topic,
    )

    # --- CloudTrail -------------------------------------------------------------------------------------
    emails = [
        f"{n}@{company}.com" for n in rng.sample(["dana.r", "kofi.m", "sam.ito", "r.alvarez", "megan.p"], 3)
    ]
    humans = [
        kit.sso(emails[0], "CommerceDeveloper"),
        kit.sso(emails[1], "AdministratorAccess"),
        kit.sso(emails[2], "ReadOnly"),
    ]
    ci = kit.role_session("gha-orders-deploy", "GitHubActions")
    monitor = kit.role_session("datadog-integration", "DatadogAWSIntegration")
    menu = kb.standard_menu(
        kit,
        humans=humans,
        ci=ci,
        monitor=monitor,
        instance_ids=[],
        alarms=["orders-checkout-5xx", "orders-checkout-p90-latency", "orders-checkout-cpu"],
        lb_arns=[alb.arn],
        tg_arns=[alb.tg_arn],
        functions=[],
        log_groups=[log_group],
    )
    kit.routine(menu, rng.randint(30, 36))
    ci_ip = kit.public_ip()
    repo_arn = kit.arn("ecr", "repository/orders-checkout")
    img_digest = "sha256:" + kit.hex(64)
    push = deploy_t - timedelta(minutes=rng.randint(3, 6))
    kit.trail(
        ci,
        push - timedelta(seconds=40),
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        None,
        {
            "authorizationData": [
                {
                    "authorizationToken": "HIDDEN_DUE_TO_SECURITY_REASONS",
                    "expiresAt": (push + timedelta(hours=12)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    "proxyEndpoint": f"https://{acct}.dkr.ecr.{region}.amazonaws.com",
                }
            ]
        },
        read_only=True,
        agent="aws-cli/2.17.12 md/command#ecr.get-login-password",
        ip=ci_ip,
    )
    kit.trail(
        ci,
        push,
        "ecr.amazonaws.com",
        "PutImage",
        {
            "repositoryName": "orders-checkout",
            "imageTag": v_new,
            "registryId": acct,
            "imageManifest": '{\n   "schemaVersion": 2, ...}',
        },
        {
            "image": {
                "registryId": acct,
                "repositoryName": "orders-checkout",
                "imageId": {"imageDigest": img_digest, "imageTag": v_new},
                "imageManifestMediaType": "application/vnd.docker.distribution.manifest.v2+json",
            }
        },
        agent="docker/24.0.9 go/go1.20.13 git-commit/fca702d kernel/6.5.0-1025-azure os/linux arch/amd64 UpstreamClient(Docker-Client/24.0.9 \\(linux\\))",
        ip=ci_ip,
        resources=[{"accountId": acct, "ARN": repo_arn}],
    )
    ci_agent = (
        "aws-sdk-js/3.592.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.15.1 api/ecs#3.592.0 m/E"
    )
    kit.trail(
        ci,
        td_new_time := deploy_t - timedelta(seconds=rng.randint(3, 9)),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "orders-checkout",
            "taskRoleArn": task_role,
            "executionRoleArn": exec_role,
            "networkMode": "awsvpc",
            "containerDefinitions": td_new["containerDefinitions"],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_new["taskDefinitionArn"],
                "family": "orders-checkout",
                "revision": rev_new,
                "status": "ACTIVE",
                "registeredAt": kb.iso(td_new_time),
            }
        },
        agent=ci_agent,
        ip=ci_ip,
    )
    kit.trail(
        ci,
        deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": svc,
            "taskDefinition": td_new["taskDefinitionArn"],
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "taskDefinition": td_new["taskDefinitionArn"],
                "desiredCount": n_tasks,
                "status": "ACTIVE",
            }
        },
        agent=ci_agent,
        ip=ci_ip,
    )
    ecs_slr = kit.role_session(
        "AWSServiceRoleForECS", "ecs-service-scheduler", path="aws-service-role/ecs.amazonaws.com/"
    )
    ecs_slr["invokedBy"] = "ecs.amazonaws.com"
    kit.trail(
        ecs_slr,
        started + timedelta(seconds=38),
        "elasticloadbalancing.amazonaws.com",
        "RegisterTargets",
        {"targetGroupArn": alb.tg_arn, "targets": [{"id": ip, "port": 3000} for ip in new_ips]},
        None,
        agent="ecs.amazonaws.com",
        ip="ecs.amazonaws.com",
    )
    kit.trail(
        ecs_slr,
        started + timedelta(minutes=2),
        "elasticloadbalancing.amazonaws.com",
        "DeregisterTargets",
        {
            "targetGroupArn": alb.tg_arn,
            "targets": [{"id": ip, "port": 3000} for ip in old_ips],
        },
        None,
        agent="ecs.amazonaws.com",
        ip="ecs.amazonaws.com",
    )
    # innocent changes within 30 minutes of the onset
    office = kit.public_ip()
    kit.trail(
        humans[0],
        onset - timedelta(minutes=rng.randint(20, 27), seconds=rng.randint(0, 59)),
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/orders-checkout/prod/features/gift-wrap", "type": "String", "overwrite": True},
        {"version": rng.randint(3, 9), "tier": "Standard"},
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    kit.trail(
        humans[1],
        onset - timedelta(minutes=rng.randint(6, 12), seconds=rng.randint(0, 59)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "commerce-checkout-overview", "dashboardBody": '{"widgets":[...]}'},
        {"dashboardValidationMessages": []},
        agent=kb.AGENT_CONSOLE,
        ip=kit.public_ip(),
        console=True,
    )
    kit.trail(
        humans[1],
        onset + timedelta(minutes=rng.randint(2, 4)),
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/aws/lambda/catalog-image-resizer", "retentionInDays": 14},
        None,
        agent=kb.AGENT_CONSOLE,
        ip=kit.public_ip(),
        console=True,
    )
    # the on-call starts looking
    look = onset + timedelta(minutes=rng.randint(14, 20))
    kit.trail(
        humans[0],
        look,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": [svc], "include": ["TAGS"]},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )
    kit.trail(
        humans[0],
        look + timedelta(seconds=50),
        "ecs.amazonaws.com",
        "ListTaskDefinitions",
        {"familyPrefix": "orders-checkout", "sort": "DESC", "maxResults": 10},
        read_only=True,
        agent=kb.AGENT_CONSOLE,
        ip=office,
        console=True,
    )

    # --- trigger & truth --------------------------------------------------------------------------------
    local = onset.astimezone(tz)
    rounded = local - timedelta(minutes=local.minute % 5, seconds=local.second)
    clock = rounded.strftime("%-I:%M%p").lower()
    question = rng.choice(
        [
            f"Checkout is throwing errors and crawling for a lot of customers since about {clock}. "
            f"We shipped orders-checkout {v_new} this afternoon, should we roll it back?",
            f"Support says checkout has been failing for customers since roughly {clock} and the page is slow. "
            f"orders-checkout was deployed a bit before that. What's going on?",
        ]
    )
    return kit.bundle(
        title="checkout failing and slow",
        trigger={"question": question, "alarm_event": None, "timezone": "America/Chicago"},
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": host,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-timeouts",
            },
            "also_accept": [vendor, f"https://{host}/v2", f"{vendor} tax API"],
            "actions": ["reconfigure"],
            "chain": [
                f"the {vendor} tax API at {host} starts hanging and returning some 503s",
                "orders-checkout's tax calls time out at TAX_API_TIMEOUT_MS=4000 (AxiosError ECONNABORTED)",
                "POST /v1/checkout/{cart}/quote and /confirm return 502 after ~4s",
                "orders-checkout-prod ALB target 5xx and p90 latency rise; alarms fire",
            ],
        },
    )
