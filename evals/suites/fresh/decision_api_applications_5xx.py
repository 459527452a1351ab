"""decision-api: loan applications failing at the decision step, half an hour after a deploy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_w as k

NAME = "decision-api-applications-5xx"
TITLE = "Loan applications failing at the decision step"
SUMMARY = "decision-api POST /v2/applications answers 503 from late morning; a deploy of it went out earlier."

NS_ALB = "AWS/ApplicationELB"
NS_PL = "AWS/PrivateLinkEndpoints"
REGION = "eu-west-2"


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
    day = k.pick_day(ctx, datetime(2024, 11, 11, tzinfo=UTC), 28, (0, 1, 2, 3, 4))
    onset_exact = day + timedelta(hours=10, minutes=r.randint(5, 50), seconds=r.randint(0, 59))  # GMT
    onset = k.floor_min(onset_exact)
    start = onset - timedelta(hours=r.randint(4, 6), minutes=r.randint(0, 50))
    now = onset + timedelta(minutes=r.randint(32, 50), seconds=r.randint(0, 59))
    ctx.start, ctx.now, ctx.end = start, now, now
    created = start - timedelta(days=r.randint(300, 800))

    net = k.network(ctx, "harbour-prod", r.choice([16, 48, 112]), created)
    alb_sg = k.security_group(
        ctx, "harbour-api-alb", "public API ALB", net.vpc, [k.tcp_from_cidr(443, "0.0.0.0/0")]
    )
    task_sg = k.security_group(
        ctx, "decision-api", "decision-api tasks", net.vpc, [k.tcp_from_sg(8000, alb_sg, account, "ALB")]
    )
    vpce_sg = k.security_group(
        ctx,
        "northstar-bureau-endpoint",
        "interface endpoint to Northstar Credit",
        net.vpc,
        [k.tcp_from_sg(443, task_sg, account, "decision-api")],
    )
    lb = k.alb(
        ctx,
        "harbour-api-prod",
        "decision-api-8000",
        net,
        alb_sg,
        created,
        8000,
        "/health",
        target_type="ip",
        cert_arn=ctx.arn("acm", f"certificate/{ctx.uuid()}"),
    )

    vpce = "vpce-0" + ctx.hex(16)
    svc_name = f"com.amazonaws.vpce.{REGION}.vpce-svc-0{ctx.hex(16)}"
    vpce_created = created + timedelta(days=r.randint(10, 100))
    enis = ["eni-0" + ctx.hex(16) for _ in range(3)]
    ctx.resource(
        "ec2",
        "VpcEndpoint",
        {
            "VpcEndpointId": vpce,
            "VpcEndpointType": "Interface",
            "VpcId": net.vpc,
            "ServiceName": svc_name,
            "State": "available",
            "PolicyDocument": json.dumps(
                {"Statement": [{"Action": "*", "Effect": "Allow", "Principal": "*", "Resource": "*"}]}
            ),
            "RouteTableIds": [],
            "SubnetIds": [s[0] for s in net.private],
            "Groups": [{"GroupId": vpce_sg, "GroupName": "northstar-bureau-endpoint"}],
            "IpAddressType": "ipv4",
            "DnsOptions": {"DnsRecordIpType": "ipv4"},
            "PrivateDnsEnabled": True,
            "RequesterManaged": False,
            "NetworkInterfaceIds": enis,
            "DnsEntries": [
                {
                    "DnsName": f"{vpce}-{ctx.hex(8)}.{svc_name.split('.')[-1]}.{REGION}.vpce.amazonaws.com",
                    "HostedZoneId": "ZOJJZC49E0EPZ",
                },
                {
                    "DnsName": "bureau-api.northstarcredit.co.uk",
                    "HostedZoneId": "Z0" + ctx.upper(18, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
                },
            ],
            "CreationTimestamp": k.iso(vpce_created),
            "Tags": k.tags({"Name": "northstar-bureau", "vendor": "Northstar Credit Ltd"}),
            "OwnerId": account,
        },
    )
    for i, eni in enumerate(enis):
        sid, az, pfx = net.private[i]
        ip = f"{pfx}.{r.randint(4, 250)}"
        ctx.resource(
            "ec2",
            "NetworkInterface",
            {
                "AvailabilityZone": az,
                "Description": f"VPC Endpoint Interface {vpce}",
                "Groups": [{"GroupId": vpce_sg, "GroupName": "northstar-bureau-endpoint"}],
                "InterfaceType": "vpc_endpoint",
                "Ipv6Addresses": [],
                "MacAddress": ":".join(ctx.hex(2) for _ in range(6)),
                "NetworkInterfaceId": eni,
                "OwnerId": account,
                "PrivateIpAddress": ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}],
                "RequesterId": str(r.randint(10**11, 10**12 - 1)),
                "RequesterManaged": True,
                "SourceDestCheck": True,
                "Status": "in-use",
                "SubnetId": sid,
                "TagSet": [],
                "VpcId": net.vpc,
            },
        )

    cluster = "harbour-prod"
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 14,
            "pendingTasksCount": 0,
            "activeServicesCount": 5,
            "capacityProviders": ["FARGATE"],
        },
    )
    rev = r.randint(120, 260)
    old_td = ctx.arn("ecs", f"task-definition/decision-api:{rev - 1}")
    new_td = ctx.arn("ecs", f"task-definition/decision-api:{rev}")
    svc_arn = ctx.arn("ecs", f"service/{cluster}/decision-api")
    deploy_at = onset - timedelta(minutes=r.randint(27, 38), seconds=r.randint(0, 59))
    steady = deploy_at + timedelta(minutes=r.randint(6, 8), seconds=r.randint(0, 59))
    awsvpc = {
        "awsvpcConfiguration": {
            "subnets": [s[0] for s in net.private],
            "securityGroups": [task_sg],
            "assignPublicIp": "DISABLED",
        }
    }
    dep_id = f"ecs-svc/{r.randint(10**18, 10**19 - 1)}"
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "decision-api",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": lb.tg_arn, "containerName": "decision-api", "containerPort": 8000}
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": 4,
            "runningCount": 4,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": new_td,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": new_td,
                    "desiredCount": 4,
                    "pendingCount": 0,
                    "runningCount": 4,
                    "failedTasks": 0,
                    "createdAt": k.iso(deploy_at),
                    "updatedAt": k.iso(steady),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": awsvpc,
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": k.iso(created),
            "networkConfiguration": awsvpc,
            "healthCheckGracePeriodSeconds": 30,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )
    old_tasks = [ctx.hex(32) for _ in range(4)]
    new_tasks = [ctx.hex(32) for _ in range(4)]
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(deploy_at + timedelta(seconds=12)),
                "message": "(service decision-api) has started 4 tasks: "
                + " ".join(f"(task {tk})" for tk in new_tasks)
                + ".",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(deploy_at + timedelta(minutes=2, seconds=40)),
                "message": f"(service decision-api) registered 4 targets in (target-group {lb.tg_arn})",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(deploy_at + timedelta(minutes=3, seconds=30)),
                "message": "(service decision-api) has begun draining connections on 4 tasks.",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(deploy_at + timedelta(minutes=3, seconds=31)),
                "message": f"(service decision-api) deregistered 4 targets in (target-group {lb.tg_arn})",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(steady - timedelta(seconds=40)),
                "message": "(service decision-api) has stopped 4 running tasks: "
                + " ".join(f"(task {tk})" for tk in old_tasks)
                + ".",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(steady),
                "message": "(service decision-api) has reached a steady state.",
            },
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(steady + timedelta(seconds=1)),
                "message": f"(service decision-api) (deployment {dep_id}) deployment completed.",
            },
        },
    )
    task_ips: dict[str, str] = {}
    for i, tk in enumerate(old_tasks + new_tasks):
        sid, az, pfx = net.private[i % 3]
        task_ips[tk] = f"{pfx}.{r.randint(4, 250)}"
        if tk in old_tasks:
            k.target_health(ctx, lb.tg_arn, task_ips[tk], 8000, az, start, "healthy")
            k.target_health(
                ctx,
                lb.tg_arn,
                task_ips[tk],
                8000,
                az,
                deploy_at + timedelta(minutes=3, seconds=31),
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
        else:
            k.target_health(
                ctx,
                lb.tg_arn,
                task_ips[tk],
                8000,
                az,
                deploy_at + timedelta(minutes=2, seconds=40),
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
            k.target_health(
                ctx,
                lb.tg_arn,
                task_ips[tk],
                8000,
                az,
                deploy_at + timedelta(minutes=3, seconds=25),
                "healthy",
            )
    secret_name = "prod/decision-api/northstar-client-cert"
    ctx.resource(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": ctx.arn("secretsmanager", f"secret:{secret_name}-{ctx.hex(6)}"),
            "Name": secret_name,
            "Description": "mTLS client certificate and key for the Northstar bureau API",
            "LastChangedDate": k.iso(start - timedelta(days=r.randint(40, 120))),
            "LastAccessedDate": k.iso(day),
            "Tags": k.tags({"service": "decision-api"}),
            "SecretVersionsToStages": {ctx.uuid(): ["AWSCURRENT"]},
            "CreatedDate": k.iso(vpce_created),
            "RotationEnabled": False,
        },
    )
    table = "loan-applications"
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [{"AttributeName": "application_id", "AttributeType": "S"}],
            "TableName": table,
            "KeySchema": [{"AttributeName": "application_id", "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": r.randint(10**9, 8 * 10**9),
            "ItemCount": r.randint(10**6, 5 * 10**6),
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uuid(),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "DeletionProtectionEnabled": True,
        },
    )
    k.log_group(ctx, "/ecs/decision-api", created)

    # --- metrics -------------------------------------------------------------------------------------
    tg = {"TargetGroup": lb.tg_dim, "LoadBalancer": lb.dim}
    pl = {"VPC Id": net.vpc, "VPC Endpoint Id": vpce, "Endpoint Type": "Interface", "Service Name": svc_name}
    peak_apps = r.uniform(70, 110)  # decision requests per minute at peak
    fail_p = r.uniform(0.78, 0.9)
    failed_at: dict[datetime, int] = {}
    for ts, _ in ctx.timeline(start):
        load = k.diurnal(ts, 0, 0.08, 12.5)
        apps = ctx.count(peak_apps * load)
        other = ctx.count(peak_apps * load * 6.5)  # status polls, document uploads, quotes
        down = ts >= onset
        bad = sum(1 for _ in range(apps) if r.random() < fail_p) if down else 0
        failed_at[ts] = bad
        base5 = 1 if r.random() < 0.05 else 0
        c4 = ctx.count((apps + other) * 0.02)
        total = apps + other
        ctx.put(NS_ALB, "RequestCount", tg, ts, total)
        ctx.put(NS_ALB, "RequestCount", {"LoadBalancer": lb.dim}, ts, total + ctx.count(total * 1.8))
        ctx.put(NS_ALB, "HTTPCode_Target_2XX_Count", tg, ts, max(0, total - bad - base5 - c4))
        ctx.put(NS_ALB, "HTTPCode_Target_4XX_Count", tg, ts, c4)
        if bad + base5:
            ctx.put(NS_ALB, "HTTPCode_Target_5XX_Count", tg, ts, bad + base5)
        samples = [r.lognormvariate(-3.4, 0.5) for _ in range(int(other / max(total, 1) * 40))]
        samples += [r.lognormvariate(-0.6, 0.3) for _ in range(40 - len(samples))]  # bureau round trip ~0.5 s
        if bad:
            for i in range(len(samples) - 1, max(0, len(samples) - 1 - int(40 * bad / max(total, 1))), -1):
                samples[i] = r.uniform(0.9, 1.6)  # three resets with backoff
        ctx.put_stats(NS_ALB, "TargetResponseTime", tg, ts, samples, "Seconds")
        ctx.put(
            NS_ALB,
            "HealthyHostCount",
            tg,
            ts,
            4 if not (deploy_at + timedelta(minutes=3) <= ts < steady) else 8,
            "Count",
        )
        ctx.put(NS_ALB, "UnHealthyHostCount", tg, ts, 0, "Count")
        ecs = {"ClusterName": cluster, "ServiceName": "decision-api"}
        ctx.put("AWS/ECS", "CPUUtilization", ecs, ts, 6 + total / 4 * 0.06 + ctx.noise(0.8), "Percent")
        ctx.put(
            "AWS/ECS", "MemoryUtilization", ecs, ts, (31 if ts >= steady else 34) + ctx.noise(0.5), "Percent"
        )
        # PrivateLink endpoint: one pooled connection per task normally; resets force reconnects
        conns = apps * 3 if down else max(0, ctx.count(apps * 0.15) + (1 if r.random() < 0.3 else 0))
        ctx.put(NS_PL, "NewConnections", pl, ts, conns)
        ctx.put(NS_PL, "ActiveConnections", pl, ts, (ctx.count(2.5) if down else 4 + ctx.count(0.5)))
        ctx.put(
            NS_PL,
            "BytesProcessed",
            pl,
            ts,
            (apps - bad) * r.uniform(18000, 22000) + (conns * 5200 if down else conns * 7000),
            "Bytes",
        )
        ctx.put(
            NS_PL, "RstPacketsReceived", pl, ts, (bad * 3 + ctx.count(apps * 0.4)) if down else ctx.count(0.2)
        )
        ctx.put(NS_PL, "PacketsDropped", pl, ts, 0)
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": table},
            ts,
            (apps * 3 + other * 0.2) * (1 + ctx.noise(0.05)),
            "Count",
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": table},
            ts,
            other * 1.0 * (1 + ctx.noise(0.05)),
            "Count",
        )

    topic = ctx.arn("sns", "harbour-oncall")
    fired = k.alarm(
        ctx,
        name="decision-api-5xx",
        description="decision-api 5xx: more than 10 a minute for 3 of 5 minutes",
        ns=NS_ALB,
        metric="HTTPCode_Target_5XX_Count",
        dims=tg,
        stat="Sum",
        period=60,
        evals=5,
        to_alarm=3,
        threshold=10,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=90),
    )
    k.alarm(
        ctx,
        name="decision-api-latency",
        description="decision-api average latency above 2 s",
        ns=NS_ALB,
        metric="TargetResponseTime",
        dims=tg,
        stat="Average",
        period=300,
        evals=2,
        to_alarm=2,
        threshold=2.0,
        op="GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=90),
    )
    k.alarm(
        ctx,
        name="decision-api-unhealthy-targets",
        description="decision-api unhealthy targets",
        ns=NS_ALB,
        metric="UnHealthyHostCount",
        dims=tg,
        stat="Maximum",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=0,
        op="GreaterThanThreshold",
        actions=[topic],
        created=created + timedelta(days=90),
    )
    k.alarm(
        ctx,
        name="loan-applications-write-throttles",
        description="loan-applications write throttling",
        ns="AWS/DynamoDB",
        metric="WriteThrottleEvents",
        dims={"TableName": table},
        stat="Sum",
        period=300,
        evals=1,
        to_alarm=1,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=90),
    )
    assert fired is not None

    # --- logs ----------------------------------------------------------------------------------------
    def py(t: datetime, level: str, logger: str, msg: str) -> str:
        return f"{t.strftime('%Y-%m-%d %H:%M:%S')},{t.microsecond // 1000:03d} {level} [{logger}] {msg}"

    t = start + timedelta(seconds=r.uniform(0, 20))
    while t < now:
        tasks = old_tasks if t < deploy_at + timedelta(minutes=3, seconds=31) else new_tasks
        task = r.choice(tasks)
        stream = f"decision-api/decision-api/{task}"
        app_id = "app_" + ctx.upper(12, "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        if t >= onset_exact and r.random() < fail_p:
            for attempt in (1, 2):
                ctx.log(
                    "/ecs/decision-api",
                    stream,
                    t + timedelta(milliseconds=180 * attempt),
                    py(
                        t + timedelta(milliseconds=180 * attempt),
                        "WARNING",
                        "decision.bureau",
                        f"bureau call failed application_id={app_id} attempt={attempt} error=ConnectionError(ProtocolError('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))) retrying",
                    ),
                )
            te = t + timedelta(milliseconds=r.randint(900, 1500))
            tb = (
                "Traceback (most recent call last):\n"
                '  File "/usr/local/lib/python3.12/site-packages/urllib3/connectionpool.py", line 789, in urlopen\n'
                "    response = self._make_request(\n"
                '  File "/usr/local/lib/python3.12/site-packages/urllib3/connectionpool.py", line 466, in _make_request\n'
                "    self._validate_conn(conn)\n"
                '  File "/usr/local/lib/python3.12/site-packages/urllib3/connection.py", line 741, in connect\n'
                "    sock_and_verified = _ssl_wrap_socket_and_match_hostname(\n"
                "ConnectionResetError: [Errno 104] Connection reset by peer\n\n"
                "During handling of the above exception, another exception occurred:\n\n"
                "Traceback (most recent call last):\n"
                '  File "/app/decision/bureau.py", line 88, in fetch_report\n'
                '    resp = self.session.post(f"{self.base_url}/v3/consumer-report", json=payload, timeout=(2, 8), cert=self.client_cert)\n'
                '  File "/usr/local/lib/python3.12/site-packages/requests/adapters.py", line 682, in send\n'
                "    raise ConnectionError(err, request=request)\n"
                "requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"
            )
            ctx.log(
                "/ecs/decision-api",
                stream,
                te,
                py(
                    te,
                    "ERROR",
                    "decision.api",
                    f"decision failed application_id={app_id} bureau=northstar url=https://bureau-api.northstarcredit.co.uk/v3/consumer-report status=503\n{tb}",
                ),
            )
            ctx.log(
                "/ecs/decision-api",
                stream,
                te + timedelta(milliseconds=2),
                f'{task_ips[task]} - - [{te.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "POST /v2/applications/{app_id}/decision HTTP/1.1" 503 87 "-" "harbour-web/3.{r.randint(10, 30)}"',
            )
            t += timedelta(seconds=r.uniform(3, 10))
            continue
        if r.random() < 0.5:
            ctx.log(
                "/ecs/decision-api",
                stream,
                t,
                py(
                    t,
                    "INFO",
                    "decision.api",
                    f"decision made application_id={app_id} outcome={r.choice(['APPROVE', 'APPROVE', 'REFER', 'DECLINE'])} score={r.randint(420, 910)} bureau_ms={r.randint(310, 720)}",
                ),
            )
            ctx.log(
                "/ecs/decision-api",
                stream,
                t + timedelta(milliseconds=3),
                f'{task_ips[task]} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "POST /v2/applications/{app_id}/decision HTTP/1.1" 200 412 "-" "harbour-web/3.{r.randint(10, 30)}"',
            )
        elif r.random() < 0.05:
            ctx.log(
                "/ecs/decision-api",
                stream,
                t,
                py(
                    t,
                    "WARNING",
                    "decision.rules",
                    f"affordability rule AFF-07 skipped: missing declared_outgoings application_id={app_id}",
                ),
            )
        else:
            ctx.log(
                "/ecs/decision-api",
                stream,
                t,
                f'{task_ips[task]} - - [{t.strftime("%d/%b/%Y:%H:%M:%S")} +0000] "GET /v2/applications/{app_id}/status HTTP/1.1" 200 133 "-" "harbour-web/3.{r.randint(10, 30)}"',
            )
        t += timedelta(seconds=r.uniform(8, 30))
    for task in new_tasks:
        t0 = deploy_at + timedelta(seconds=r.randint(40, 80))
        ctx.log(
            "/ecs/decision-api",
            f"decision-api/decision-api/{task}",
            t0,
            f"[{t0.strftime('%Y-%m-%d %H:%M:%S')} +0000] [1] [INFO] Starting gunicorn 23.0.0",
        )
        ctx.log(
            "/ecs/decision-api",
            f"decision-api/decision-api/{task}",
            t0 + timedelta(milliseconds=4),
            f"[{t0.strftime('%Y-%m-%d %H:%M:%S')} +0000] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)",
        )
        ctx.log(
            "/ecs/decision-api",
            f"decision-api/decision-api/{task}",
            t0 + timedelta(milliseconds=900),
            py(
                t0 + timedelta(milliseconds=900),
                "INFO",
                "decision.bureau",
                "loaded client certificate from secret prod/decision-api/northstar-client-cert (expires 2025-08-31)",
            ),
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    office = k.office_ip(ctx)
    eng = ctx.sso_user(
        "PlatformEngineer",
        r.choice(["ravi.patel", "emma.hughes", "sam.okafor"]) + "@harbourlending.co.uk",
        office,
    )
    dev = ctx.sso_user(
        "Developer",
        r.choice(["georgia.lee", "dan.morgan", "aisha.khan"]) + "@harbourlending.co.uk",
        office,
        console=False,
    )
    ci = ctx.role_principal(
        "gitlab-deploy-decision",
        f"gitlab-{r.randint(1000000, 9999999)}",
        k.public_ip(ctx),
        "aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/linux#5.15.0-1071-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#docker md/distrib#amzn.2 md/prompt#off md/command#ecs.update-service",
    )
    mon = ctx.role_principal(
        "datadog-integration",
        "DatadogAWSIntegration",
        "3.233.151.8",
        "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
    )
    ecs_sl = ctx.service_linked("AWSServiceRoleForECS", "ecs-service-scheduler", "ecs.amazonaws.com")
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["decision-api"]}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": lb.tg_arn}),
        (
            "ec2.amazonaws.com",
            "DescribeVpcEndpoints",
            {"DescribeVpcEndpointsRequest": {"VpcEndpointId": {"content": vpce, "tag": 1}}},
        ),
        ("secretsmanager.amazonaws.com", "DescribeSecret", {"secretId": secret_name}),
    ]
    k.routine_reads(ctx, [mon], reads[:3], 15, start, now)
    k.routine_reads(ctx, [eng, dev], reads, 9, start, now)
    ctx.trail(
        start + timedelta(minutes=r.randint(10, 60)),
        dev,
        "logs.amazonaws.com",
        "StartQuery",
        {
            "logGroupNames": ["/ecs/decision-api"],
            "startTime": k.ms(start) // 1000,
            "endTime": k.ms(start) // 1000 + 3600,
            "queryString": "fields @timestamp, @message | filter @message like /AFF-07/ | limit 200",
        },
        {"queryId": ctx.uuid()},
        read_only=True,
    )
    ctx.trail(
        start + timedelta(minutes=r.randint(70, 140)),
        eng,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/harbour/prod/quote-api/max-term-months",
            "type": "String",
            "overwrite": True,
            "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {"version": r.randint(2, 8), "tier": "Standard"},
    )
    ctx.trail(
        deploy_at - timedelta(seconds=35),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "decision-api",
            "taskRoleArn": f"arn:aws:iam::{account}:role/decision-api-task",
            "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "decision-api",
                    "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/decision-api:1.{r.randint(30, 60)}.{r.randint(0, 9)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8000, "protocol": "tcp"}],
                    "secrets": [{"name": "NORTHSTAR_CLIENT_CERT", "valueFrom": secret_name}],
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": new_td,
                "family": "decision-api",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
    )
    ctx.trail(
        deploy_at,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "decision-api",
            "taskDefinition": new_td,
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "decision-api",
                "serviceArn": svc_arn,
                "taskDefinition": new_td,
                "desiredCount": 4,
                "status": "ACTIVE",
                "deployments": [
                    {"id": dep_id, "status": "PRIMARY", "taskDefinition": new_td},
                    {"status": "ACTIVE", "taskDefinition": old_td},
                ],
            }
        },
    )
    ctx.trail(
        deploy_at + timedelta(minutes=2, seconds=40),
        ecs_sl,
        "elasticloadbalancing.amazonaws.com",
        "RegisterTargets",
        {"targetGroupArn": lb.tg_arn, "targets": [{"id": task_ips[tk], "port": 8000} for tk in new_tasks]},
        None,
    )
    ctx.trail(
        deploy_at + timedelta(minutes=3, seconds=31),
        ecs_sl,
        "elasticloadbalancing.amazonaws.com",
        "DeregisterTargets",
        {"targetGroupArn": lb.tg_arn, "targets": [{"id": task_ips[tk], "port": 8000} for tk in old_tasks]},
        None,
    )
    ctx.trail(
        onset - timedelta(minutes=r.randint(6, 14), seconds=r.randint(0, 59)),
        eng,
        "ec2.amazonaws.com",
        "CreateTags",
        {
            "resourcesSet": {"items": [{"resourceId": vpce}]},
            "tagSet": {
                "items": [
                    {"key": "cost-centre", "value": "credit-risk"},
                    {"key": "contract-ref", "value": f"NSC-{r.randint(2021, 2023)}-{r.randint(100, 999)}"},
                ]
            },
        },
        {"requestId": ctx.uuid(), "_return": True},
    )
    ctx.trail(
        onset + timedelta(minutes=r.randint(2, 9)),
        dev,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": "statement-pdf-renderer", "memorySize": 2048},
        {
            "functionName": "statement-pdf-renderer",
            "memorySize": 2048,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
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
            "trigger": {
                "question": "Applications are failing at the decision step and the 5xx alarm fired. We shipped a decision-api release this morning, should we roll it back?",
                "alarm_event": k.alarm_event(ctx, fired),
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": vpce,
                    "category": "dependency_failure",
                    "failure_mode": "third-party-privatelink-service-resetting-connections",
                    "event_id": None,
                },
                "also_accept": [
                    svc_name,
                    "northstar-bureau",
                    "bureau-api.northstarcredit.co.uk",
                    "Northstar Credit",
                ],
                "actions": ["reconfigure"],
                "chain": [
                    f"The Northstar Credit bureau behind endpoint service {svc_name} starts resetting connections",
                    f"Interface endpoint {vpce} shows RstPacketsReceived and NewConnections jump while bytes fall",
                    "decision-api bureau calls fail with 'Connection reset by peer' after retries and it answers 503 on decisions",
                    "decision-api-5xx alarms; the morning decision-api deploy had been serving cleanly for half an hour",
                ],
            },
        }
    )
    return Bundle(manifest, k.sort_all(ctx))
