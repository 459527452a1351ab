"""fares-search: many fare searches fail with 502 from early afternoon, nothing deployed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_w as k

NAME = "fares-search-502s"
TITLE = "Fare search failing for many routes since early afternoon"
SUMMARY = "fares-search answers 502 for most uncached searches from early afternoon on; no deploy to it."

NS_ALB = "AWS/ApplicationELB"
REGION = "ap-southeast-2"


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
    day = k.pick_day(ctx, datetime(2024, 11, 4, tzinfo=UTC), 30, (0, 1, 2, 3, 4))
    onset_exact = day + timedelta(hours=3, minutes=r.randint(2, 40), seconds=r.randint(0, 59))  # ~14:xx AEDT
    onset = k.floor_min(onset_exact)
    start = onset - timedelta(hours=r.randint(6, 8), minutes=r.randint(0, 50))
    now = onset + timedelta(minutes=r.randint(38, 58), seconds=r.randint(0, 59))
    ctx.start, ctx.now, ctx.end = start, now, now
    created = start - timedelta(days=r.randint(400, 900))

    net = k.network(ctx, "wattle-prod", r.choice([30, 64, 96]), created)
    alb_sg = k.security_group(
        ctx, "wattle-web-alb", "public ALB", net.vpc, [k.tcp_from_cidr(443, "0.0.0.0/0")]
    )
    task_sg = k.security_group(
        ctx,
        "fares-search-tasks",
        "fares-search tasks",
        net.vpc,
        [k.tcp_from_sg(8080, alb_sg, account, "ALB")],
    )
    proxy_sg = k.security_group(
        ctx,
        "egress-proxy",
        "squid egress proxy for partner APIs",
        net.vpc,
        [k.tcp_from_cidr(3128, net.cidr, "VPC clients"), k.tcp_from_cidr(22, "10.255.0.0/24", "bastion")],
    )
    lb = k.alb(
        ctx,
        "wattle-web-prod",
        "fares-search-8080",
        net,
        alb_sg,
        created,
        8080,
        "/healthz",
        target_type="ip",
        cert_arn=ctx.arn("acm", f"certificate/{ctx.uuid()}"),
    )

    # the egress proxy: one instance with an Elastic IP the GDS partner allow-lists
    proxy_id = ctx.rid("i")
    proxy_launch = start - timedelta(days=r.randint(280, 520))
    eip = k.public_ip(ctx)
    proxy_subnet = net.public[r.randrange(3)]
    retire_notice = onset_exact - timedelta(days=14, hours=r.randint(0, 6), minutes=r.randint(0, 59))
    stop_reason = ("Server.ScheduledStop", "Server.ScheduledStop: Stopped due to scheduled retirement")
    proxy = k.instance_item(
        ctx,
        proxy_id,
        ami="ami-0" + ctx.hex(16),
        itype="t3.medium",
        launched=proxy_launch,
        subnet=proxy_subnet,
        vpc=net.vpc,
        sgs=[(proxy_sg, "egress-proxy")],
        profile=(f"arn:aws:iam::{account}:instance-profile/egress-proxy", "AIPA" + ctx.upper(17)),
        name="egress-proxy-prod",
        extra_tags={"role": "squid", "owner": "platform", "env": "prod"},
        state="stopped",
        monitoring=False,
        public=None,
        state_reason=stop_reason,
        transition_reason=f"Service initiated ({onset_exact.strftime('%Y-%m-%d %H:%M:%S')} GMT)",
    )
    proxy_ip = proxy["PrivateIpAddress"]
    ctx.resource(
        "ec2",
        "Address",
        {
            "AllocationId": "eipalloc-0" + ctx.hex(16),
            "AssociationId": "eipassoc-0" + ctx.hex(16),
            "Domain": "vpc",
            "NetworkInterfaceId": proxy["NetworkInterfaces"][0]["NetworkInterfaceId"],
            "NetworkInterfaceOwnerId": account,
            "PrivateIpAddress": proxy_ip,
            "InstanceId": proxy_id,
            "PublicIp": eip,
            "PublicIpv4Pool": "amazon",
            "NetworkBorderGroup": REGION,
            "Tags": k.tags({"Name": "egress-proxy-prod", "note": "allow-listed by SkyLink GDS"}),
        },
    )
    zone_id = "Z0" + ctx.upper(19, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    ctx.resource(
        "route53",
        "HostedZone",
        {
            "Id": f"/hostedzone/{zone_id}",
            "Name": "internal.wattle.travel.",
            "CallerReference": ctx.uuid(),
            "Config": {"Comment": "prod private zone", "PrivateZone": True},
            "ResourceRecordSetCount": r.randint(30, 80),
        },
    )
    ctx.resource(
        "route53",
        "ZoneRecordSet",
        {
            "HostedZoneId": zone_id,
            "Name": "proxy.internal.wattle.travel.",
            "Type": "A",
            "TTL": 300,
            "ResourceRecords": [{"Value": proxy_ip}],
        },
    )
    ctx.resource(
        "route53",
        "ZoneRecordSet",
        {
            "HostedZoneId": zone_id,
            "Name": "fares.internal.wattle.travel.",
            "Type": "CNAME",
            "TTL": 60,
            "ResourceRecords": [{"Value": lb.dns}],
        },
    )

    # ECS services
    cluster = "wattle-prod"
    cluster_arn = ctx.arn("ecs", f"cluster/{cluster}")
    ctx.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 19,
            "pendingTasksCount": 0,
            "activeServicesCount": 4,
            "settings": [{"name": "containerInsights", "value": "enabled"}],
            "capacityProviders": ["FARGATE"],
        },
    )
    fs_td = ctx.arn("ecs", f"task-definition/fares-search:{r.randint(80, 200)}")
    fs_arn = ctx.arn("ecs", f"service/{cluster}/fares-search")
    fs_deployed = start - timedelta(days=r.randint(2, 6), hours=r.randint(0, 8))
    awsvpc = {
        "awsvpcConfiguration": {
            "subnets": [s[0] for s in net.private],
            "securityGroups": [task_sg],
            "assignPublicIp": "DISABLED",
        }
    }
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": fs_arn,
            "serviceName": "fares-search",
            "clusterArn": cluster_arn,
            "loadBalancers": [
                {"targetGroupArn": lb.tg_arn, "containerName": "fares-search", "containerPort": 8080}
            ],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": 6,
            "runningCount": 6,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": fs_td,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": f"ecs-svc/{r.randint(10**18, 10**19 - 1)}",
                    "status": "PRIMARY",
                    "taskDefinition": fs_td,
                    "desiredCount": 6,
                    "pendingCount": 0,
                    "runningCount": 6,
                    "failedTasks": 0,
                    "createdAt": k.iso(fs_deployed),
                    "updatedAt": k.iso(fs_deployed + timedelta(minutes=6)),
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
            "enableExecuteCommand": True,
        },
    )
    bw_arn = ctx.arn("ecs", f"service/{cluster}/booking-web")
    bw_rev = r.randint(300, 500)
    bw_td = ctx.arn("ecs", f"task-definition/booking-web:{bw_rev}")
    bw_deploy = onset - timedelta(minutes=r.randint(16, 24), seconds=r.randint(0, 59))
    ctx.resource(
        "ecs",
        "Service",
        {
            "serviceArn": bw_arn,
            "serviceName": "booking-web",
            "clusterArn": cluster_arn,
            "loadBalancers": [],
            "serviceRegistries": [],
            "status": "ACTIVE",
            "desiredCount": 4,
            "runningCount": 4,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": bw_td,
            "deployments": [
                {
                    "id": f"ecs-svc/{r.randint(10**18, 10**19 - 1)}",
                    "status": "PRIMARY",
                    "taskDefinition": bw_td,
                    "desiredCount": 4,
                    "pendingCount": 0,
                    "runningCount": 4,
                    "failedTasks": 0,
                    "createdAt": k.iso(bw_deploy),
                    "updatedAt": k.iso(bw_deploy + timedelta(minutes=5)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": k.iso(created),
            "networkConfiguration": awsvpc,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
        },
    )
    ctx.event(
        "ecs",
        {
            "service_arn": bw_arn,
            "event": {
                "id": ctx.uuid(),
                "createdAt": k.iso(bw_deploy + timedelta(minutes=5)),
                "message": "(service booking-web) has reached a steady state.",
            },
        },
    )
    for i in range(int((now - start).total_seconds() // 21600) + 1):
        ctx.event(
            "ecs",
            {
                "service_arn": fs_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": k.iso(start + timedelta(hours=6 * i, minutes=r.randint(0, 50))),
                    "message": "(service fares-search) has reached a steady state.",
                },
            },
        )
    table = "fare-cache"
    ctx.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [{"AttributeName": "route_date", "AttributeType": "S"}],
            "TableName": table,
            "KeySchema": [{"AttributeName": "route_date", "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": r.randint(10**9, 4 * 10**9),
            "ItemCount": r.randint(10**6, 4 * 10**6),
            "TableArn": ctx.arn("dynamodb", f"table/{table}"),
            "TableId": ctx.uuid(),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
        },
    )
    k.log_group(ctx, "/ecs/fares-search", created)
    k.log_group(ctx, "/egress-proxy/squid", proxy_launch)

    # AWS Health: the retirement notice
    event_arn = f"arn:aws:health:{REGION}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_{ctx.hex(6).upper()}_{ctx.uuid()}"
    ctx.event(
        "health",
        {
            "event": {
                "arn": event_arn,
                "service": "EC2",
                "eventTypeCode": "AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED",
                "eventTypeCategory": "scheduledChange",
                "region": REGION,
                "availabilityZone": proxy_subnet[1],
                "startTime": k.iso(onset_exact - timedelta(seconds=r.randint(30, 500))),
                "lastUpdatedTime": k.iso(retire_notice),
                "statusCode": "open",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": (
                f"EC2 has detected degradation of the underlying hardware hosting your Amazon EC2 instance {proxy_id} in the {REGION} region. "
                "Due to this degradation your instance could already be unreachable. We will stop your instance after "
                f"{(onset_exact - timedelta(seconds=600)).strftime('%Y-%m-%d %H:%M:%S')} UTC.\n\n"
                "* What will happen to my instance? *\nYour instance will be stopped after the specified retirement date. You can start it again at any time. "
                "Note that if you have EC2 instance store volumes attached to the instance, any data on these volumes will be lost when the instance is stopped or terminated as these volumes are physically attached to the host computer.\n\n"
                "* What do I need to do? *\nWe recommend that you stop and start the instance which will migrate the instance to a new host. "
                "Please note that any data on your instance store volumes will not be preserved when you stop and start your instance.\n\n"
                "If you have any questions or concerns, you can contact the AWS Support Team on the community forums and via AWS Premium Support at: http://aws.amazon.com/support"
            ),
            "affected_entities": [
                {
                    "entityArn": f"arn:aws:health:{REGION}:{account}:entity/g{ctx.hex(20)}",
                    "eventArn": event_arn,
                    "entityValue": proxy_id,
                    "awsAccountId": account,
                    "lastUpdatedTime": k.iso(retire_notice),
                    "statusCode": "IMPAIRED",
                }
            ],
        },
    )

    # --- metrics -------------------------------------------------------------------------------------
    fine_from = onset - timedelta(hours=2, minutes=30)
    tl = ctx.timeline(fine_from)
    tg = {"TargetGroup": lb.tg_dim, "LoadBalancer": lb.dim}
    peak = r.uniform(1800, 2600)
    hit = r.uniform(0.34, 0.46)
    failing: dict[datetime, float] = {}
    for ts, step in tl:
        mins = step / 60
        req = peak * k.diurnal(ts, 11, 0.1, 13.5) * mins * (1 + ctx.noise(0.03))
        down = ts >= onset
        miss = req * (1 - hit)
        bad = ctx.count(miss * 0.985) if down else 0
        failing[ts] = bad
        base5 = ctx.count(0.6 * mins)
        c4 = ctx.count(req * 0.015)
        ctx.put(NS_ALB, "RequestCount", tg, ts, round(req))
        ctx.put(NS_ALB, "RequestCount", {"LoadBalancer": lb.dim}, ts, round(req * 3.2))
        ctx.put(NS_ALB, "HTTPCode_Target_2XX_Count", tg, ts, round(req - bad - base5 - c4))
        ctx.put(NS_ALB, "HTTPCode_Target_4XX_Count", tg, ts, c4)
        if bad + base5:
            ctx.put(NS_ALB, "HTTPCode_Target_5XX_Count", tg, ts, bad + base5)
        share = bad / max(req, 1)
        samples = [
            r.lognormvariate(-1.3, 0.45) if r.random() > hit else r.lognormvariate(-4.0, 0.4)
            for _ in range(40)
        ]
        for i in range(int(40 * share + 0.5)):
            samples[i] = r.uniform(5.0, 5.08)  # proxy connect timeout
        ctx.put_stats(NS_ALB, "TargetResponseTime", tg, ts, samples, "Seconds")
        ctx.put(NS_ALB, "HealthyHostCount", tg, ts, 6, "Count")
        ctx.put(NS_ALB, "UnHealthyHostCount", tg, ts, 0, "Count")
        ecs = {"ClusterName": cluster, "ServiceName": "fares-search"}
        ctx.put(
            "AWS/ECS",
            "CPUUtilization",
            ecs,
            ts,
            8 + req / mins / 6 * 0.05 * (0.5 if down else 1) + ctx.noise(1),
            "Percent",
        )
        ctx.put("AWS/ECS", "MemoryUtilization", ecs, ts, 38 + ctx.noise(0.5) + (6 if down else 0), "Percent")
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            {"TableName": table},
            ts,
            req * 1.5 * (1 + ctx.noise(0.03)),
            "Count",
        )
        ctx.put(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": table},
            ts,
            (0 if down else miss * 2) * (1 + ctx.noise(0.04)) + ctx.count(2 * mins),
            "Count",
        )
        # proxy instance: basic monitoring, 5-minute points, none once it is stopped
        if ts.minute % 5 == 0 and ts + timedelta(minutes=5) <= onset_exact + timedelta(minutes=2):
            pr = peak * k.diurnal(ts, 11, 0.1, 13.5) * (1 - hit) * 5
            d = {"InstanceId": proxy_id}
            ctx.put("AWS/EC2", "CPUUtilization", d, ts, 3 + pr / 5 / 60 * 0.9 + ctx.noise(0.6), "Percent")
            ctx.put("AWS/EC2", "NetworkIn", d, ts, pr * 48000 * (1 + ctx.noise(0.05)), "Bytes")
            ctx.put("AWS/EC2", "NetworkOut", d, ts, pr * 51000 * (1 + ctx.noise(0.05)), "Bytes")
            ctx.put("AWS/EC2", "StatusCheckFailed", d, ts, 0, "Count")
            ctx.put("AWS/EC2", "StatusCheckFailed_System", d, ts, 0, "Count")
            ctx.put("AWS/EC2", "StatusCheckFailed_Instance", d, ts, 0, "Count")
            ctx.put("AWS/EC2", "CPUCreditBalance", d, ts, 576 - ctx.rng.uniform(0, 3), "Count")

    topic = ctx.arn("sns", "wattle-platform-alerts")
    k.alarm(
        ctx,
        name="fares-search-5xx",
        description="fares-search 5xx above 60/min for 3 minutes",
        ns=NS_ALB,
        metric="HTTPCode_Target_5XX_Count",
        dims=tg,
        stat="Sum",
        period=60,
        evals=3,
        to_alarm=3,
        threshold=60,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=60),
    )
    k.alarm(
        ctx,
        name="fares-search-latency",
        description="fares-search average response time above 2 s",
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
        created=created + timedelta(days=60),
    )
    k.alarm(
        ctx,
        name="fares-search-unhealthy",
        description="unhealthy fares-search tasks",
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
        created=created + timedelta(days=60),
    )
    k.alarm(
        ctx,
        name="egress-proxy-cpu-high",
        description="squid proxy CPU above 80%",
        ns="AWS/EC2",
        metric="CPUUtilization",
        dims={"InstanceId": proxy_id},
        stat="Average",
        period=300,
        evals=3,
        to_alarm=3,
        threshold=80,
        op="GreaterThanThreshold",
        missing="missing",
        actions=[topic],
        created=proxy_launch + timedelta(days=2),
    )
    k.alarm(
        ctx,
        name="fare-cache-read-throttles",
        description="fare-cache read throttles",
        ns="AWS/DynamoDB",
        metric="ReadThrottleEvents",
        dims={"TableName": table},
        stat="Sum",
        period=300,
        evals=1,
        to_alarm=1,
        threshold=0,
        op="GreaterThanThreshold",
        missing="notBreaching",
        actions=[topic],
        created=created + timedelta(days=60),
    )

    # --- logs ----------------------------------------------------------------------------------------
    tasks = [ctx.hex(32) for _ in range(6)]
    routes = [
        "SYD-MEL",
        "SYD-BNE",
        "MEL-PER",
        "SYD-AKL",
        "SYD-NRT",
        "BNE-DPS",
        "MEL-SIN",
        "SYD-LAX",
        "ADL-SYD",
        "OOL-MEL",
        "SYD-HKG",
    ]
    t = fine_from + timedelta(seconds=r.uniform(0, 10))
    while t < now:
        task = r.choice(tasks)
        route = r.choice(routes)
        dep = (day + timedelta(days=r.randint(3, 120))).strftime("%Y-%m-%d")
        down = t >= onset_exact
        if down and r.random() < 0.62:
            rec: dict[str, Any] = {
                "level": "error",
                "ts": round(t.timestamp(), 3),
                "caller": "gds/client.go:142",
                "msg": "gds availability request failed",
                "route": route,
                "date": dep,
                "attempt": 1,
                "error": f'Post "https://api.skylinkgds.com/v3/availability": proxyconnect tcp: dial tcp {proxy_ip}:3128: i/o timeout',
            }
            ctx.log(
                "/ecs/fares-search",
                f"fares-search/fares-search/{task}",
                t,
                json.dumps(rec, separators=(",", ":")),
            )
            rec2 = {
                "level": "info",
                "ts": round(t.timestamp() + 0.002, 3),
                "caller": "httpx/log.go:58",
                "msg": "request",
                "method": "GET",
                "path": "/v2/search",
                "status": 502,
                "dur_ms": r.randint(5001, 5060),
                "route": route,
            }
            ctx.log(
                "/ecs/fares-search",
                f"fares-search/fares-search/{task}",
                t + timedelta(milliseconds=2),
                json.dumps(rec2, separators=(",", ":")),
            )
            t += timedelta(seconds=r.uniform(1, 5))
            continue
        cached = r.random() < hit or down
        if r.random() < 0.02:
            rec = {
                "level": "warn",
                "ts": round(t.timestamp(), 3),
                "caller": "gds/client.go:171",
                "msg": "gds returned partial results",
                "route": route,
                "missing_carriers": r.choice([["JQ"], ["NZ", "JQ"], ["VA"]]),
            }
        elif r.random() < 0.01:
            rec = {
                "level": "warn",
                "ts": round(t.timestamp(), 3),
                "caller": "cache/dynamo.go:88",
                "msg": "cache item too old, refreshing",
                "route": route,
                "age_s": r.randint(900, 1500),
            }
        else:
            rec = {
                "level": "info",
                "ts": round(t.timestamp(), 3),
                "caller": "httpx/log.go:58",
                "msg": "request",
                "method": "GET",
                "path": "/v2/search",
                "status": 200,
                "dur_ms": r.randint(8, 40) if cached else r.randint(180, 900),
                "route": route,
                "cache": "hit" if cached else "miss",
            }
        ctx.log(
            "/ecs/fares-search",
            f"fares-search/fares-search/{task}",
            t,
            json.dumps(rec, separators=(",", ":")),
        )
        t += timedelta(seconds=r.uniform(6, 25))
    # squid access log until the instance stops
    gds_ip = f"203.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(2, 250)}"
    t = fine_from + timedelta(seconds=r.uniform(0, 5))
    task_ips = [f"{net.private[i % 3][2]}.{r.randint(4, 250)}" for i in range(6)]
    while t < onset_exact:
        dur = r.randint(150, 950)
        ctx.log(
            "/egress-proxy/squid",
            f"{proxy_id}/access.log",
            t,
            f"{t.timestamp():.3f} {dur:6d} {r.choice(task_ips)} TCP_TUNNEL/200 {r.randint(3000, 48000)} CONNECT api.skylinkgds.com:443 - HIER_DIRECT/{gds_ip} -",
        )
        if r.random() < 0.01:
            ctx.log(
                "/egress-proxy/squid",
                f"{proxy_id}/cache.log",
                t,
                f"{t.strftime('%Y/%m/%d %H:%M:%S')} kid1| WARNING! Your cache is running out of filedescriptors",
            )
        t += timedelta(seconds=r.uniform(4, 14))

    # --- CloudTrail ----------------------------------------------------------------------------------
    office = k.office_ip(ctx)
    eng = ctx.sso_user(
        "PlatformEngineer",
        r.choice(["liam.nguyen", "chloe.walker", "jack.thompson"]) + "@wattle.travel",
        office,
    )
    dev = ctx.sso_user(
        "Developer",
        r.choice(["priya.sharma", "oliver.smith", "mia.chen"]) + "@wattle.travel",
        office,
        console=False,
    )
    ci = ctx.role_principal(
        "buildkite-deploy",
        r.choice(["buildkite-booking-web-4812", "buildkite-booking-web-4813"]),
        k.public_ip(ctx),
        "aws-cli/2.18.2 md/awscrt#0.22.0 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#amzn.2 md/prompt#off md/command#ecs.update-service",
    )
    mon = ctx.role_principal(
        "newrelic-integration",
        "NewRelicIntegration",
        "162.247.241.2",
        "aws-sdk-java/1.12.770 Linux/5.10 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS java/17.0.12",
    )
    reads: list[tuple[str, str, dict[str, Any] | None]] = [
        ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["fares-search"]}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": lb.tg_arn}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("health.amazonaws.com", "DescribeEvents", {"filter": {"eventStatusCodes": ["open", "upcoming"]}}),
    ]
    k.routine_reads(ctx, [mon], reads[:4], 16, start, now)
    k.routine_reads(ctx, [eng, dev], reads, 10, start, now)
    ctx.trail(
        start + timedelta(minutes=r.randint(30, 90)),
        eng,
        "ec2.amazonaws.com",
        "CreateSnapshot",
        {"volumeId": "vol-0" + ctx.hex(16), "description": "pre-patch backup bastion"},
        {"snapshotId": "snap-0" + ctx.hex(16), "status": "pending", "startTime": k.iso(start)},
    )
    ctx.trail(
        start + timedelta(minutes=r.randint(100, 200)),
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/wattle/prod/fares-search/cache-ttl-seconds",
            "type": "String",
            "overwrite": True,
            "value": "HIDDEN_DUE_TO_SECURITY_REASONS",
        },
        {"version": r.randint(4, 9), "tier": "Standard"},
    )
    ctx.trail(
        bw_deploy - timedelta(seconds=30),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "booking-web",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "booking-web",
                    "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/booking-web:{ctx.hex(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": bw_td,
                "family": "booking-web",
                "revision": bw_rev,
                "status": "ACTIVE",
            }
        },
    )
    ctx.trail(
        bw_deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "booking-web", "taskDefinition": bw_td},
        {
            "service": {
                "serviceName": "booking-web",
                "serviceArn": bw_arn,
                "taskDefinition": bw_td,
                "desiredCount": 4,
                "status": "ACTIVE",
            }
        },
    )
    bastion_sg = "sg-0" + ctx.hex(16)
    ctx.trail(
        onset - timedelta(minutes=r.randint(5, 11)),
        eng,
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
                        "ipRanges": {"items": [{"cidrIp": f"{office}/32", "description": "office NAT temp"}]},
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "requestId": ctx.uuid(),
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": account,
                        "groupId": bastion_sg,
                        "securityGroupRuleId": "sgr-0" + ctx.hex(16),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": f"{office}/32",
                        "description": "office NAT temp",
                    }
                ]
            },
        },
    )
    ctx.trail(
        now - timedelta(minutes=r.randint(4, 10)),
        eng,
        "ecs.amazonaws.com",
        "ExecuteCommand",
        {
            "cluster": cluster,
            "container": "fares-search",
            "command": "/bin/sh",
            "interactive": True,
            "task": tasks[0],
        },
        {
            "clusterArn": cluster_arn,
            "containerArn": ctx.arn("ecs", f"container/{cluster}/{tasks[0]}/{ctx.uuid()}"),
            "containerName": "fares-search",
            "interactive": True,
            "session": {
                "sessionId": "ecs-execute-command-" + ctx.hex(17),
                "streamUrl": "wss://ssmmessages.ap-southeast-2.amazonaws.com/v1/data-channel/ecs-execute-command",
                "tokenValue": "HIDDEN_DUE_TO_SECURITY_REASONS",
            },
            "taskArn": ctx.arn("ecs", f"task/{cluster}/{tasks[0]}"),
        },
    )

    local = (onset + timedelta(hours=11)).strftime("%-I:%M%p").lower()
    question = f"Fare search on the site has been failing for a lot of routes since about {local}, the 5xx alarm is going off. Nothing went out for fares-search today. What's broken?"
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Australia/Sydney"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": proxy_id,
                    "category": "system_change",
                    "failure_mode": "scheduled-instance-retirement-stopped-egress-proxy",
                    "event_id": None,
                },
                "also_accept": ["egress-proxy-prod", eip, "proxy.internal.wattle.travel"],
                "actions": ["restart", "reconfigure"],
                "chain": [
                    f"AWS stopped egress-proxy-prod ({proxy_id}) for the scheduled retirement announced two weeks earlier in AWS Health",
                    f"fares-search reaches the SkyLink GDS only through that squid proxy ({proxy_ip}:3128, Elastic IP {eip} allow-listed by the partner)",
                    "Searches that miss fare-cache time out connecting to the proxy and answer 502 after 5 s",
                    "fares-search-5xx alarms; cached routes keep working",
                ],
            },
        }
    )
    return Bundle(manifest, k.sort_all(ctx))
