"""Checkout fails at the evening peak: the third-party fraud-scoring API behind the NAT gateway stops answering in time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzi import Json, Kit, Svc, Topo, iso, perm

NAME = "checkout-spins-then-fails-evening"
TITLE = "Checkout spins then fails for customers in the evening; public API 5xx alarm right after the DB secret rotated"
SUMMARY = (
    "The external fraud-scoring provider checkout-api calls through the NAT gateway began timing out; checkout "
    "retries then returns 502, while the DB secret rotation and a catalog deploy just before are innocent."
)


def zlog(ts: datetime, level: str, caller: str, msg: str, **fields: object) -> str:
    rec: dict[str, object] = {"level": level, "ts": round(ts.timestamp(), 3), "caller": caller, "msg": msg}
    rec.update(fields)
    return json.dumps(rec, separators=(",", ":"))


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.rnd
    day = datetime(2026, r.choice([1, 2, 11, 12]), r.randint(2, 26), tzinfo=UTC)
    onset = day + timedelta(hours=18, minutes=r.randint(25, 50), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(20, 40))).replace(second=0)
    now = onset + timedelta(minutes=r.randint(38, 50))
    end = now + timedelta(minutes=5)
    vendor = "api.riskscore.io"
    share_fail = r.uniform(0.45, 0.7)

    svcs = [
        Svc("checkout-api", r.choice([6, 8]), r.randint(300, 400), nlb=True),
        Svc("catalog-svc", 6, r.randint(200, 260), nlb=True),
        Svc("orders-api", 4, r.randint(120, 180), nlb=True),
        Svc("cart-svc", 4, r.randint(40, 70), nlb=True),
    ]
    topo = Topo(k, start, svcs)
    co, cat, orders, cart = svcs
    topo.aurora()
    rotated = onset - timedelta(minutes=r.randint(12, 20))
    topo.secret(rotated)
    topo.endpoints({})
    cidr = f"10.{k.cidr_second}.0.0/16"
    topo.sg(
        topo.task_sg,
        "shop-prod-ecs-tasks",
        "Fargate tasks for shop-prod services",
        [perm(8080, group=topo.nlb_sg)],
    )
    topo.sg(topo.vpce_sg, "shop-prod-vpce", "Interface endpoints", [perm(443, cidr=cidr)])
    topo.sg(topo.db_sg, "shop-prod-aurora", "Aurora MySQL", [perm(3306, group=topo.task_sg)])
    topo.sg(topo.nlb_sg, "shop-prod-int-nlb", "Internal NLB", [perm(8080, cidr=cidr)])
    nat = "nat-" + k.hexid(17)
    eip = f"52.{r.randint(16, 220)}.{r.randint(1, 250)}.{r.randint(1, 250)}"
    k.res(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(topo.created),
            "NatGatewayAddresses": [
                {
                    "AllocationId": "eipalloc-" + k.hexid(17),
                    "NetworkInterfaceId": "eni-" + k.hexid(17),
                    "PrivateIp": k.ip(0),
                    "PublicIp": eip,
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "NatGatewayId": nat,
            "State": "available",
            "SubnetId": "subnet-" + k.hexid(17),
            "VpcId": k.vpc,
            "ConnectivityType": "public",
            "Tags": [{"Key": "Name", "Value": "shop-prod-nat-a"}],
        },
    )
    api_id = k.hexid(10)
    link = k.hexid(6)
    k.res(
        "apigatewayv2",
        "Api",
        {
            "ApiEndpoint": f"https://{api_id}.execute-api.{k.region}.amazonaws.com",
            "ApiId": api_id,
            "Name": "shop-public",
            "ProtocolType": "HTTP",
            "RouteSelectionExpression": "$request.method $request.path",
            "CreatedDate": iso(topo.created),
            "DisableExecuteApiEndpoint": True,
            "Tags": {"team": "platform"},
        },
    )
    k.res(
        "apigatewayv2",
        "ApiStage",
        {
            "ApiId": api_id,
            "StageName": "$default",
            "AutoDeploy": True,
            "CreatedDate": iso(topo.created),
            "DefaultRouteSettings": {
                "DetailedMetricsEnabled": True,
                "ThrottlingBurstLimit": 5000,
                "ThrottlingRateLimit": 10000.0,
            },
            "LastUpdatedDate": iso(start - timedelta(days=r.randint(3, 30))),
        },
    )
    integ = {}
    for s in svcs:
        iid = k.hexid(7)
        integ[s.name] = iid
        k.res(
            "apigatewayv2",
            "ApiIntegration",
            {
                "ApiId": api_id,
                "ConnectionId": link,
                "ConnectionType": "VPC_LINK",
                "IntegrationId": iid,
                "IntegrationMethod": "ANY",
                "IntegrationType": "HTTP_PROXY",
                "IntegrationUri": k.arn(
                    "elasticloadbalancing",
                    f"listener/net/{topo.nlb_name}/{topo.nlb_dim.split('/')[-1]}/{k.hexid(16)}",
                ),
                "PayloadFormatVersion": "1.0",
                "TimeoutInMillis": 29000 if s is co else 10000,
            },
        )
    routes = {
        "checkout-api": "POST /v1/checkout",
        "catalog-svc": "GET /v1/products/{id}",
        "orders-api": "GET /v1/orders/{id}",
        "cart-svc": "PUT /v1/cart/items",
    }
    for s in svcs:
        k.res(
            "apigatewayv2",
            "ApiRoute",
            {
                "ApiId": api_id,
                "RouteId": k.hexid(7),
                "RouteKey": routes[s.name],
                "AuthorizationType": "JWT",
                "AuthorizerId": "auth01",
                "Target": f"integrations/{integ[s.name]}",
            },
        )
    for s in svcs:
        k.res("ecs", "Service", topo.service_item(s))

    # --- CloudTrail: rotation, catalog deploy, background ---
    rot_ident = k.role_identity("shop-aurora-secret-rotation-role", "shop-aurora-secret-rotation")
    rot_ident["sessionContext"]["sessionIssuer"]["userName"] = "shop-aurora-secret-rotation-role"
    sm = "secretsmanager.amazonaws.com"
    k.trail(
        rotated - timedelta(seconds=40),
        sm,
        "RotationStarted",
        {"accountId": k.account, "invokedBy": sm},
        None,
        None,
        event_type="AwsServiceEvent",
        extra={
            "serviceEventDetails": {"secretId": topo.secret_arn},
            "sourceIPAddress": sm,
            "userAgent": sm,
            "readOnly": False,
        },
    )
    lam_agent = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.224 lang/python#3.12.5 exec-env/AWS_Lambda_python3.12"
    new_ver = k.uid()
    rotation_calls: list[tuple[int, str, Json]] = [
        (-38, "DescribeSecret", {"secretId": topo.secret_arn}),
        (-37, "GetSecretValue", {"secretId": topo.secret_arn, "versionStage": "AWSCURRENT"}),
        (-36, "GetRandomPassword", {"excludeCharacters": ":/@\"'\\", "passwordLength": 32}),
        (
            -35,
            "PutSecretValue",
            {"secretId": topo.secret_arn, "clientRequestToken": new_ver, "versionStages": ["AWSPENDING"]},
        ),
        (
            -20,
            "GetSecretValue",
            {"secretId": topo.secret_arn, "versionId": new_ver, "versionStage": "AWSPENDING"},
        ),
        (
            -12,
            "GetSecretValue",
            {"secretId": topo.secret_arn, "versionId": new_ver, "versionStage": "AWSPENDING"},
        ),
        (
            -3,
            "UpdateSecretVersionStage",
            {
                "secretId": topo.secret_arn,
                "versionStage": "AWSCURRENT",
                "moveToVersionId": new_ver,
                "removeFromVersionId": k.uid(),
            },
        ),
    ]
    for dt, name, params in rotation_calls:
        ro = name in ("DescribeSecret", "GetSecretValue", "GetRandomPassword")
        k.trail(
            rotated + timedelta(seconds=dt),
            sm,
            name,
            rot_ident,
            params,
            None,
            read_only=ro,
            agent=lam_agent,
            ip=k.ip(),
        )
    k.trail(
        rotated,
        sm,
        "RotationSucceeded",
        {"accountId": k.account, "invokedBy": sm},
        None,
        None,
        event_type="AwsServiceEvent",
        extra={
            "serviceEventDetails": {"secretId": topo.secret_arn},
            "sourceIPAddress": sm,
            "userAgent": sm,
            "readOnly": False,
        },
    )
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    ci_agent = "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/ecs#3.540.0"
    cdep = onset - timedelta(minutes=r.randint(5, 9))
    nrev = cat.rev + 1
    k.trail(
        cdep,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": "catalog-svc",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": k.arn("ecs", f"task-definition/catalog-svc:{nrev}"),
                "revision": nrev,
                "status": "ACTIVE",
            }
        },
        agent=ci_agent,
        ip="20.84.101.17",
    )
    k.trail(
        cdep + timedelta(seconds=7),
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": "shop-prod",
            "service": "catalog-svc",
            "taskDefinition": f"catalog-svc:{nrev}",
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": "catalog-svc", "desiredCount": cat.desired}},
        agent=ci_agent,
        ip="20.84.101.17",
    )
    k.ecs_event(
        cat.arn,
        cdep + timedelta(seconds=30),
        f"(service catalog-svc) has started {cat.desired} tasks: "
        + " ".join(f"(task {k.hexid(32)})" for _ in range(cat.desired))
        + ".",
    )
    k.ecs_event(cat.arn, cdep + timedelta(minutes=6), "(service catalog-svc) has reached a steady state.")
    eng = k.human("j.keller")
    k.trail(
        start + timedelta(minutes=r.randint(20, 80)),
        "logs.amazonaws.com",
        "PutSubscriptionFilter",
        eng,
        {
            "logGroupName": "/ecs/shop-prod/orders-api",
            "filterName": "to-opensearch",
            "filterPattern": "",
            "destinationArn": k.arn("lambda", "function:logs-to-opensearch"),
        },
        None,
    )
    k.trail(
        start + timedelta(minutes=r.randint(90, 150)),
        "ecs.amazonaws.com",
        "TagResource",
        eng,
        {"resourceArn": cart.arn, "tags": [{"key": "cost-center", "value": "cc-4410"}]},
        None,
    )
    k.tooling_reads(
        start,
        now,
        r.randint(30, 40),
        [
            ("apigateway.amazonaws.com", "GetApis", {}),
            ("ec2.amazonaws.com", "DescribeNatGateways", {"maxResults": 100}),
        ],
    )

    # --- metrics ---
    def load(t: datetime) -> float:
        return Kit.diurnal(t, 19.5, 0.45)

    def failing(t: datetime) -> bool:
        return t >= onset

    api_dims = {"ApiId": api_id, "Stage": "$default"}
    rate = {"checkout-api": 90.0, "catalog-svc": 900.0, "orders-api": 160.0, "cart-svc": 240.0}
    for s in svcs:
        rd = dict(api_dims, Route=routes[s.name])
        base = rate[s.name]

        def cnt(t: datetime, b: float = base) -> float:
            return round(k.noise(b * load(t), 0.07))

        t = start
        while t < end:
            n = cnt(t)
            if s is co and failing(t):
                e = float(round(n * k.noise(share_fail, 0.12)))
                lat = k.noise(9300, 0.05)
            else:
                e = float(r.choice([0, 0, 1])) if s is cat else float(r.choice([0, 0, 0, 1]))
                lat = k.noise(
                    {"checkout-api": 640.0, "catalog-svc": 38.0, "orders-api": 55.0, "cart-svc": 42.0}[
                        s.name
                    ],
                    0.15,
                )
            for mname, v, unit in [
                ("Count", n, "Count"),
                ("5xx", e, "Count"),
                ("4xx", round(n * 0.012), "Count"),
                ("Latency", lat, "Milliseconds"),
                ("IntegrationLatency", lat - 6, "Milliseconds"),
            ]:
                k.metrics.append(
                    {
                        "namespace": "AWS/ApiGateway",
                        "metric": mname,
                        "dimensions": rd,
                        "timestamp": iso(t),
                        "unit": unit,
                        "value": round(float(v), 1),
                    }
                )
            t += timedelta(minutes=1)
    # stage totals
    totals: dict[tuple[str, str], float] = {}
    for m in list(k.metrics):
        if m["namespace"] == "AWS/ApiGateway" and m["metric"] in ("Count", "5xx", "4xx"):
            key = (m["metric"], m["timestamp"])
            totals[key] = totals.get(key, 0.0) + m["value"]
    for (metric, stamp), v in sorted(totals.items()):
        k.metrics.append(
            {
                "namespace": "AWS/ApiGateway",
                "metric": metric,
                "dimensions": api_dims,
                "timestamp": stamp,
                "unit": "Count",
                "value": v,
            }
        )

    for s in svcs:
        dims = {"ClusterName": "shop-prod", "ServiceName": s.name}
        cpu_base = {"checkout-api": 34.0, "catalog-svc": 41.0, "orders-api": 24.0, "cart-svc": 19.0}[s.name]
        k.series(
            "AWS/ECS",
            "CPUUtilization",
            dims,
            "Percent",
            start,
            end,
            lambda t, b=cpu_base, s=s: k.noise(b * load(t) * (0.7 if s is co and failing(t) else 1), 0.08),
        )
        k.series(
            "AWS/ECS",
            "MemoryUtilization",
            dims,
            "Percent",
            start,
            end,
            lambda t, s=s: k.noise(61.0 if s is co and failing(t) else 48.0, 0.03),
        )
        k.series(
            "ECS/ContainerInsights",
            "RunningTaskCount",
            dims,
            "Count",
            start,
            end,
            lambda t, n=s.desired: float(n),
            digits=0,
        )
        tgd = {"TargetGroup": s.tg_dim, "LoadBalancer": topo.nlb_dim}
        k.series(
            "AWS/NetworkELB",
            "HealthyHostCount",
            tgd,
            "Count",
            start,
            end,
            lambda t, n=s.desired: float(n),
            digits=0,
        )
        k.series("AWS/NetworkELB", "UnHealthyHostCount", tgd, "Count", start, end, lambda t: 0.0, digits=0)
    k.series(
        "AWS/NetworkELB",
        "ActiveFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(2100 * load(t) + (900 if failing(t) else 0), 0.05),
        digits=0,
    )
    k.series(
        "AWS/NetworkELB",
        "NewFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(6100 * load(t), 0.06),
        digits=0,
    )
    nd = {"NatGatewayId": nat}
    k.series(
        "AWS/NATGateway",
        "ActiveConnectionCount",
        nd,
        "Count",
        start,
        end,
        lambda t: k.noise(1400 * load(t) + (1250 if failing(t) else 0), 0.05),
        digits=0,
    )
    k.series(
        "AWS/NATGateway",
        "ConnectionAttemptCount",
        nd,
        "Count",
        start,
        end,
        lambda t: k.noise(5200 * load(t) * (1.35 if failing(t) else 1), 0.06),
        digits=0,
    )
    k.series(
        "AWS/NATGateway",
        "ConnectionEstablishedCount",
        nd,
        "Count",
        start,
        end,
        lambda t: k.noise(5190 * load(t) * (1.34 if failing(t) else 1), 0.06),
        digits=0,
    )
    k.series("AWS/NATGateway", "ErrorPortAllocation", nd, "Count", start, end, lambda t: 0.0, digits=0)
    k.series(
        "AWS/NATGateway",
        "IdleTimeoutCount",
        nd,
        "Count",
        start,
        end,
        lambda t: k.noise(30 * load(t), 0.3),
        digits=0,
    )
    k.series("AWS/NATGateway", "PacketsDropCount", nd, "Count", start, end, lambda t: 0.0, digits=0)
    k.series(
        "AWS/NATGateway",
        "BytesInFromDestination",
        nd,
        "Bytes",
        start,
        end,
        lambda t: k.noise(4.1e7 * load(t) * (0.8 if failing(t) else 1), 0.08),
        digits=0,
    )
    for ident, base in [(topo.writer, 36.0), (topo.reader, 21.0)]:
        k.series(
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": ident},
            "Percent",
            start,
            end,
            lambda t, b=base: k.noise(b * load(t), 0.08),
        )
        k.series(
            "AWS/RDS",
            "DatabaseConnections",
            {"DBInstanceIdentifier": ident},
            "Count",
            start,
            end,
            lambda t, b=base: k.noise(b * 4.2, 0.04),
            digits=0,
        )
        k.series(
            "AWS/RDS",
            "LoginFailures",
            {"DBInstanceIdentifier": ident},
            "Count",
            start,
            end,
            lambda t: 0.0,
            digits=0,
        )

    # --- alarm that paged ---
    pts = [
        m
        for m in k.metrics
        if m["namespace"] == "AWS/ApiGateway" and m["metric"] == "5xx" and m["dimensions"] == api_dims
    ]
    thr = 25.0
    t_alarm = now - timedelta(minutes=3)
    reason = ""
    for i in range(2, len(pts)):
        w = pts[i - 2 : i + 1]
        if all(m["value"] > thr for m in w):
            t_alarm = datetime.fromisoformat(w[-1]["timestamp"].replace("Z", "+00:00")) + timedelta(
                seconds=72
            )
            stamps = ", ".join(
                f"{m['value']} ({m['timestamp'][8:10]}/{m['timestamp'][5:7]}/{m['timestamp'][2:4]} {m['timestamp'][11:19]})"
                for m in reversed(w)
            )
            reason = f"Threshold Crossed: 3 out of the last 3 datapoints [{stamps}] were greater than the threshold ({thr}) (minimum 3 datapoints for OK -> ALARM transition)."
            break
    a = k.alarm(
        "shop-public-api-5xx",
        "AWS/ApiGateway",
        "5xx",
        api_dims,
        stat="Sum",
        period=60,
        evals=3,
        threshold=thr,
        op="GreaterThanThreshold",
        desc="shop-public HTTP API returning 5xx. Check route metrics and the service behind it.",
        state="ALARM",
        reason=reason,
        updated=t_alarm,
        configured=start - timedelta(days=210),
    )
    prev_t = start - timedelta(days=r.randint(2, 9))
    prev_reason = "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (25.0) (minimum 3 datapoints for ALARM -> OK transition)."
    k.transition(a, t_alarm, "OK", "ALARM", reason)
    lat_a = k.alarm(
        "orders-api-latency-p99",
        "AWS/ApiGateway",
        "Latency",
        {"ApiId": api_id, "Stage": "$default", "Route": routes["orders-api"]},
        stat="Maximum",
        period=60,
        evals=3,
        threshold=400.0,
        op="GreaterThanThreshold",
        desc="orders read latency",
        state="OK",
        reason="Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (400.0) (minimum 1 datapoint for ALARM -> OK transition).",
        updated=start + timedelta(minutes=r.randint(40, 90)),
        configured=start - timedelta(days=90),
        to_alarm=2,
    )
    t_fl = datetime.fromisoformat(str(lat_a["StateUpdatedTimestamp"]).replace("Z", "+00:00"))
    k.transition(
        lat_a,
        t_fl - timedelta(minutes=4),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 3 datapoints [512.4, 466.0] were greater than the threshold (400.0) (minimum 2 datapoints for OK -> ALARM transition).",
    )
    k.transition(lat_a, t_fl, "ALARM", "OK", str(lat_a["StateReason"]))
    for m in k.metrics:
        if m["metric"] == "Latency" and m["dimensions"].get("Route") == routes["orders-api"]:
            ts = datetime.fromisoformat(m["timestamp"].replace("Z", "+00:00"))
            if t_fl - timedelta(minutes=7) <= ts < t_fl - timedelta(minutes=4):
                m["value"] = round(k.noise(480.0, 0.08), 1)
    k.alarm(
        "shop-aurora-writer-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": topo.writer},
        stat="Average",
        period=300,
        evals=3,
        threshold=80.0,
        op="GreaterThanThreshold",
        desc="Aurora writer CPU",
        state="OK",
        reason="Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        updated=start - timedelta(days=4),
        configured=start - timedelta(days=200),
    )

    # --- checkout-api logs (zap JSON) ---
    streams = [f"checkout-api/checkout-api/{k.hexid(32)}" for _ in range(co.desired)]
    t = start
    while t < now:
        st = r.choice(streams)
        ts = t + timedelta(seconds=r.uniform(0, 55))
        req = k.hexid(16)
        if failing(t) and r.random() < share_fail + 0.1:
            for attempt in (1, 2, 3):
                k.log(
                    "/ecs/shop-prod/checkout-api",
                    st,
                    ts + timedelta(seconds=3 * attempt),
                    zlog(
                        ts + timedelta(seconds=3 * attempt),
                        "warn",
                        "fraudclient/client.go:142",
                        "fraud score request failed",
                        request_id=req,
                        attempt=attempt,
                        error=f'Post "https://{vendor}/v3/score": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
                    ),
                )
            k.log(
                "/ecs/shop-prod/checkout-api",
                st,
                ts + timedelta(seconds=9.2),
                zlog(
                    ts + timedelta(seconds=9.2),
                    "error",
                    "handler/checkout.go:88",
                    "checkout failed",
                    request_id=req,
                    route="POST /v1/checkout",
                    status=502,
                    duration_ms=r.randint(9050, 9400),
                    error="payment precheck: fraud score: retries exhausted",
                ),
            )
        else:
            dur = r.randint(380, 900) if not failing(t) else r.randint(2100, 5800)
            k.log(
                "/ecs/shop-prod/checkout-api",
                st,
                ts,
                zlog(
                    ts,
                    "info",
                    "handler/checkout.go:61",
                    "request completed",
                    request_id=req,
                    route="POST /v1/checkout",
                    status=201,
                    duration_ms=dur,
                ),
            )
        if r.random() < 0.08:
            k.log(
                "/ecs/shop-prod/checkout-api",
                st,
                ts + timedelta(seconds=1),
                zlog(
                    ts,
                    "info",
                    "db/pool.go:54",
                    "db pool stats",
                    open=20,
                    in_use=r.randint(2, 9),
                    idle=r.randint(8, 15),
                    wait_count=0,
                ),
            )
        t += timedelta(seconds=50 if failing(t) else 80)
    # one ordinary blip from the vendor during the baseline
    blip = start + timedelta(minutes=r.randint(30, 150))
    k.log(
        "/ecs/shop-prod/checkout-api",
        streams[0],
        blip,
        zlog(
            blip,
            "warn",
            "fraudclient/client.go:142",
            "fraud score request failed",
            request_id=k.hexid(16),
            attempt=1,
            error=f"unexpected status 503 from https://{vendor}/v3/score",
        ),
    )
    k.log(
        "/ecs/shop-prod/checkout-api",
        streams[0],
        blip + timedelta(seconds=1),
        zlog(
            blip,
            "info",
            "fraudclient/client.go:131",
            "fraud score ok",
            request_id=k.hexid(16),
            attempt=2,
            latency_ms=r.randint(180, 260),
        ),
    )
    # orders and catalog keep connecting to the DB after the rotation
    for s in (orders, cat):
        st = f"{s.name}/{s.name}/{k.hexid(32)}"
        t = start
        while t < now:
            k.log(
                f"/ecs/shop-prod/{s.name}",
                st,
                t,
                f"{iso(t)[:-1]}.{r.randint(100, 999)}Z  INFO 1 --- [{s.name}] [nio-8080-exec-{r.randint(1, 30)}] c.s.web.RequestLogFilter : GET {routes[s.name].split(' ')[1].replace('{id}', str(r.randint(10000, 99999)))} 200 {r.randint(5, 60)}ms",
            )
            t += timedelta(minutes=3)
    ts = cdep + timedelta(minutes=1)
    k.log(
        "/ecs/shop-prod/catalog-svc",
        f"catalog-svc/catalog-svc/{k.hexid(32)}",
        ts,
        f"{iso(ts)[:-1]}.201Z  INFO 1 --- [catalog-svc] [           main] com.zaxxer.hikari.HikariDataSource : HikariPool-1 - Start completed.",
    )

    local = (onset + timedelta(hours=1)).strftime("%H:%M")
    question = (
        f"Support says customers see checkout spin for ages and then fail, started around {local}. "
        "The Aurora secret rotated tonight right before this, did the rotation break the DB login?"
    )
    event = k.alarm_event(a, t_alarm, prev_t, reason, prev_reason)
    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=question,
        timezone="Europe/Berlin",
        alarm_event=event,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": vendor,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-timeouts",
            },
            "also_accept": [f"https://{vendor}/v3/score", "riskscore", "fraud-scoring provider"],
            "actions": ["reconfigure"],
            "chain": [vendor, "checkout-api", topo.nlb_name, "shop-public"],
        },
    )
