"""Logins slow and failing: the hosted identity provider's token endpoint has become slow."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_q import (
    GRAFANA_UA,
    ZONES,
    J,
    Kit,
    alb,
    alb_step,
    at_local,
    boto_ua,
    clock,
    daily,
    ecs_cluster,
    ecs_service,
    iam_role,
    iso,
    iso_ms,
    local_hour,
    log_group,
    ms,
    network,
    register_targets_timeline,
    security_group,
    smoothstep,
    subnet_ip,
    task_definition,
    task_id,
    tcp_from,
)

NAME = "login-idp-token-latency"
TITLE = "Customer logins slow and intermittently failing"
SUMMARY = (
    "The third-party identity provider's token endpoint slows down (no change in the account); "
    "auth-service's code exchanges and refreshes wait seconds and time out, so logins fail with 502s."
)

STACK = (
    "AxiosError: timeout of 5000ms exceeded\n"
    "    at RedirectableRequest.handleRequestTimeout (/app/node_modules/axios/dist/node/axios.cjs:3127:16)\n"
    "    at RedirectableRequest.emit (node:events:519:28)\n"
    "    at Timeout.<anonymous> (/app/node_modules/follow-redirects/index.js:210:12)\n"
    "    at listOnTimeout (node:internal/timers:573:17)\n"
    "    at process.processTimers (node:internal/timers:514:7)\n"
    "    at Axios.request (/app/node_modules/axios/dist/node/axios.cjs:4224:41)\n"
    "    at async IdpClient.exchangeCode (/app/dist/idp/client.js:88:26)\n"
    "    at async callbackHandler (/app/dist/routes/oauth.js:41:23)"
)


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed)
    rng = k.rng
    zone = ZONES[k.region]
    day = k.pick_day()
    onset = at_local(day, rng.uniform(8.8, 15.2), zone).replace(second=rng.randint(0, 59), microsecond=0)
    start = (onset - timedelta(hours=5, minutes=rng.randint(0, 50))).replace(second=0)
    start -= timedelta(minutes=start.minute % 5)
    now = onset + timedelta(minutes=rng.randint(38, 62), seconds=rng.randint(0, 59))
    fine = onset - timedelta(hours=2, minutes=30)
    tenant = rng.choice(["ledgerline", "ledgerline-prod", "ledgerline-app"])
    idp_region = {"eu-west-1": "eu", "eu-central-1": "eu", "ap-southeast-2": "au"}.get(k.region, "us")
    idp_host = f"{tenant}.{idp_region}.auth0.com"
    scale = rng.uniform(0.6, 1.6)
    ramp_min = rng.uniform(3, 9)
    slow_median = rng.uniform(3.1, 4.4)

    def severity(t: datetime) -> float:
        return smoothstep((t - onset).total_seconds() / 60 / ramp_min)

    def idp_latency(t: datetime) -> float:
        """One token-endpoint call's duration in seconds (5.0 = the client's timeout fired)."""
        s = severity(t)
        base = rng.lognormvariate(math.log(0.15), 0.35)
        slow = rng.lognormvariate(math.log(slow_median), 0.45)
        v = base if rng.random() > s else slow
        return min(v, 5.0)

    def traffic(t: datetime) -> float:
        return daily(local_hour(t, zone), 6, 140, peak=13.0) * scale

    net = network(k, "ledgerline-prod")
    sg_alb = security_group(k, net, "ledgerline-web-alb", "public ALB", [tcp_from(443, cidr="0.0.0.0/0")])
    sg_auth = security_group(
        k, net, "auth-service-tasks", "auth-service tasks", [tcp_from(3000, group=sg_alb, desc="from ALB")]
    )
    sg_api = security_group(
        k, net, "app-api-tasks", "app-api tasks", [tcp_from(8080, group=sg_alb, desc="from ALB")]
    )
    created = start - timedelta(days=rng.randint(300, 900))
    web = alb(
        k,
        net,
        "ledgerline-web",
        "auth-service",
        sg_alb,
        created,
        port=3000,
        target_type="ip",
        health_path="/healthz",
    )
    api = alb(
        k,
        net,
        "ledgerline-web",
        "app-api",
        sg_alb,
        created,
        port=8080,
        target_type="ip",
        health_path="/health",
    )
    # both target groups hang off the same load balancer: reuse its identity and drop the duplicate
    k.resources = [
        r
        for r in k.resources
        if not (r["type"] == "LoadBalancer" and r["item"]["LoadBalancerArn"] == api.arn)
    ]
    for r in k.resources:
        if r["type"] == "TargetGroup" and r["item"]["TargetGroupArn"] == api.tg_arn:
            r["item"]["LoadBalancerArns"] = [web.arn]
    api.arn, api.dim = web.arn, web.dim

    # --- traffic model, per minute ---------------------------------------------------------------
    auth_tasks = [
        (
            task_id(k),
            subnet_ip(k, net.subnets[i % 3]),
            net.subnets[i % 3][1],
        )
        for i in range(4)
    ]
    api_tasks = [
        (
            task_id(k),
            subnet_ip(k, net.subnets[i % 3]),
            net.subnets[i % 3][1],
        )
        for i in range(6)
    ]
    log_auth = "/ecs/auth-service"
    trace_every = rng.randint(9, 14)
    sessions_tbl = "auth-sessions"

    for t, step in k.grid(start, now, fine):
        n = traffic(t) * step * (1 + k.jitter(0.06))
        mix = {"/authorize": 0.1, "/oauth/callback": 0.1, "/session/refresh": 0.24, "/me": 0.56}
        samples: list[float] = []
        codes = {"2XX": 0.0, "3XX": 0.0, "4XX": 0.0, "5XX": 0.0}
        nsamp = min(int(n), 160)
        idp_calls = idp_fail = 0
        for _ in range(nsamp):
            path = rng.choices(list(mix), weights=list(mix.values()))[0]
            if path == "/me":
                d = rng.lognormvariate(math.log(0.018), 0.4)
                code = "2XX" if rng.random() > 0.04 else "4XX"
            elif path == "/authorize":
                d = rng.lognormvariate(math.log(0.006), 0.3)
                code = "3XX"
            else:
                idp = idp_latency(t)
                idp_calls += 1
                if idp >= 5.0:
                    idp_fail += 1
                    d = 5.0 + rng.uniform(0.002, 0.02)
                    code = "5XX"
                else:
                    d = idp + rng.lognormvariate(math.log(0.02), 0.3)
                    code = "3XX" if path == "/oauth/callback" else "2XX"
            samples.append(d)
            codes[code] += 1
        f = n / max(1, nsamp)
        codes = {c: v * f for c, v in codes.items()}
        alb_step(
            k, web, t, requests=n, codes=codes, latencies=samples, healthy=4, unhealthy=0, lb_level=False
        )
        m = traffic(t) * step * 3.1 * (1 + k.jitter(0.05))
        api_lat = [rng.lognormvariate(math.log(0.045), 0.5) for _ in range(min(int(m), 120))]
        alb_step(
            k,
            api,
            t,
            requests=m,
            codes={"2XX": m * 0.975, "4XX": m * 0.024, "5XX": m * 0.0006 if rng.random() < 0.3 else 0},
            latencies=api_lat,
            healthy=6,
            unhealthy=0,
            lb_level=False,
        )
        ld = {"LoadBalancer": web.dim}
        total = n + m
        k.put("AWS/ApplicationELB", "RequestCount", ld, t, "Count", round(total))
        k.put("AWS/ApplicationELB", "ProcessedBytes", ld, t, "Bytes", round(total * rng.uniform(2600, 3000)))
        k.put(
            "AWS/ApplicationELB", "NewConnectionCount", ld, t, "Count", round(total * rng.uniform(0.2, 0.25))
        )
        k.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            ld,
            t,
            "Count",
            round(total * rng.uniform(0.42, 0.5)),
        )
        if rng.random() < 0.15:
            k.put("AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", ld, t, "Count", rng.randint(1, 4))
        # ECS service metrics
        for svc, tasks, cpu in (
            ("auth-service", 4, 6 + n / step * 0.09),
            ("app-api", 6, 11 + m / step * 0.05),
        ):
            dims = {"ClusterName": "ledgerline-prod", "ServiceName": svc}
            k.put(
                "AWS/ECS",
                "CPUUtilization",
                dims,
                t,
                "Percent",
                k.stats(tasks * step, cpu * (1 + k.jitter(0.08)), 0.3) or cpu,
            )
            k.put(
                "AWS/ECS",
                "MemoryUtilization",
                dims,
                t,
                "Percent",
                k.stats(
                    tasks * step, 41 + k.jitter(1.0) + (4 * severity(t) if svc == "auth-service" else 0), 0.05
                )
                or 40,
            )
        # DynamoDB sessions table
        tdims = {"TableName": sessions_tbl}
        reads = n * 0.8 * 0.5
        writes = n * 0.34 * (1 - 0.22 * severity(t)) * 1.0
        k.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", tdims, t, "Count", round(reads, 1))
        if writes >= 1:
            k.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, t, "Count", round(writes, 1))
        k.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tdims, "Operation": "GetItem"},
            t,
            "Milliseconds",
            k.stats(max(1, n * 0.8), rng.uniform(2.6, 3.4), 0.4) or 3.0,
        )
        k.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tdims, "Operation": "PutItem"},
            t,
            "Milliseconds",
            k.stats(max(1, writes), rng.uniform(4.5, 5.8), 0.4) or 5.0,
        )
        # logs for this step: one line per sampled IdP exchange (app logs every exchange) - cap volume
        if t >= onset - timedelta(hours=3):
            exch = round(n * 0.34)
            for _ in range(min(exch, 10 if step == 1 else 12)):
                ti = rng.randrange(4)
                tid = auth_tasks[ti][0]
                when = t + timedelta(seconds=rng.uniform(0, step * 60 - 1))
                idp = idp_latency(when)
                endpoint = "/oauth/token"
                grant = rng.choice(["authorization_code", "refresh_token", "refresh_token"])
                reqid = k.hex(16)
                if idp >= 5.0:
                    line = {
                        "level": 50,
                        "time": ms(when + timedelta(seconds=5)),
                        "pid": 1,
                        "hostname": f"ip-{auth_tasks[ti][1].replace('.', '-')}.ec2.internal",
                        "reqId": reqid,
                        "idp": {"host": idp_host, "endpoint": endpoint, "grant_type": grant},
                        "err": {
                            "type": "AxiosError",
                            "message": "timeout of 5000ms exceeded",
                            "stack": STACK,
                            "code": "ECONNABORTED",
                            "name": "AxiosError",
                        },
                        "msg": "token exchange with identity provider failed",
                    }
                    k.log(log_auth, f"ecs/auth-service/{tid}", when + timedelta(seconds=5), json.dumps(line))
                    line2 = {
                        "level": 30,
                        "time": ms(when + timedelta(seconds=5, milliseconds=3)),
                        "pid": 1,
                        "hostname": f"ip-{auth_tasks[ti][1].replace('.', '-')}.ec2.internal",
                        "reqId": reqid,
                        "res": {"statusCode": 502},
                        "responseTime": round(5000 + rng.uniform(3, 18), 1),
                        "req": {
                            "method": "GET" if grant == "authorization_code" else "POST",
                            "url": "/oauth/callback" if grant == "authorization_code" else "/session/refresh",
                        },
                        "msg": "request completed",
                    }
                    k.log(
                        log_auth,
                        f"ecs/auth-service/{tid}",
                        when + timedelta(seconds=5, milliseconds=3),
                        json.dumps(line2),
                    )
                else:
                    level = 40 if idp > 1.5 else 30
                    line = {
                        "level": level,
                        "time": ms(when + timedelta(seconds=idp)),
                        "pid": 1,
                        "hostname": f"ip-{auth_tasks[ti][1].replace('.', '-')}.ec2.internal",
                        "reqId": reqid,
                        "idp": {
                            "host": idp_host,
                            "endpoint": endpoint,
                            "grant_type": grant,
                            "status": 200,
                            "durationMs": round(idp * 1000),
                        },
                        "msg": "slow identity provider response" if level == 40 else "token exchange ok",
                    }
                    k.log(
                        log_auth, f"ecs/auth-service/{tid}", when + timedelta(seconds=idp), json.dumps(line)
                    )
            if rng.random() < 0.04:
                ti = rng.randrange(4)
                when = t + timedelta(seconds=rng.uniform(0, 50))
                k.log(
                    log_auth,
                    f"ecs/auth-service/{auth_tasks[ti][0]}",
                    when,
                    json.dumps(
                        {
                            "level": 40,
                            "time": ms(when),
                            "pid": 1,
                            "hostname": f"ip-{auth_tasks[ti][1].replace('.', '-')}.ec2.internal",
                            "msg": "refresh token reuse detected; revoking session family",
                            "sessionFamily": k.hex(12),
                        }
                    ),
                )
        # X-Ray: every Nth request sampled
        if t >= onset - timedelta(hours=2):
            for _ in range(max(1, round(n / trace_every / step)) if step == 1 else 0):
                when = t + timedelta(seconds=rng.uniform(0, 59))
                ti = rng.randrange(4)
                path = rng.choices(["/oauth/callback", "/session/refresh", "/me"], weights=[2, 4, 5])[0]
                ts = when.timestamp()
                seg_id = k.hex(16)
                trace_id = f"1-{int(ts):08x}-{k.hex(24)}"
                subs: list[J] = []
                cur = ts + rng.uniform(0.001, 0.004)
                status = 200
                fault = False
                if path != "/me":
                    idp = idp_latency(when)
                    sub: J = {
                        "id": k.hex(16),
                        "name": idp_host,
                        "start_time": round(cur, 3),
                        "end_time": round(cur + idp, 3),
                        "namespace": "remote",
                        "http": {"request": {"url": f"https://{idp_host}/oauth/token", "method": "POST"}},
                    }
                    if idp >= 5.0:
                        sub["fault"] = True
                        sub["cause"] = {
                            "working_directory": "/app",
                            "exceptions": [
                                {
                                    "id": k.hex(16),
                                    "message": "timeout of 5000ms exceeded",
                                    "type": "AxiosError",
                                    "remote": True,
                                }
                            ],
                        }
                        status = 502
                        fault = True
                    else:
                        sub["http"]["response"] = {"status": 200, "content_length": rng.randint(1380, 1560)}
                        status = 302 if path == "/oauth/callback" else 200
                    subs.append(sub)
                    cur += idp
                if not fault:
                    op = "GetItem" if path == "/me" else "PutItem"
                    d = rng.lognormvariate(math.log(0.006), 0.3)
                    subs.append(
                        {
                            "id": k.hex(16),
                            "name": "DynamoDB",
                            "start_time": round(cur + 0.001, 3),
                            "end_time": round(cur + 0.001 + d, 3),
                            "namespace": "aws",
                            "http": {"response": {"status": 200, "content_length": rng.randint(60, 900)}},
                            "aws": {
                                "operation": op,
                                "region": k.region,
                                "request_id": k.upper(52),
                                "retries": 0,
                                "table_name": sessions_tbl,
                            },
                        }
                    )
                    cur += d + 0.002
                seg: J = {
                    "id": seg_id,
                    "trace_id": trace_id,
                    "name": "auth-service",
                    "start_time": round(ts, 3),
                    "end_time": round(cur + rng.uniform(0.001, 0.004), 3),
                    "origin": "AWS::ECS::Container",
                    "http": {
                        "request": {
                            "method": "GET" if path != "/session/refresh" else "POST",
                            "url": f"https://app.ledgerline.io{path}",
                            "client_ip": k.office_ip(),
                            "user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36",
                            "x_forwarded_for": True,
                        },
                        "response": {"status": status},
                    },
                    "aws": {
                        "ecs": {
                            "container": f"ip-{auth_tasks[ti][1].replace('.', '-')}.ec2.internal",
                            "container_id": auth_tasks[ti][0][:12],
                        },
                        "xray": {
                            "sdk_version": "3.5.3",
                            "sdk": "X-Ray for Node.js",
                            "package": "aws-xray-sdk",
                        },
                    },
                    "service": {"version": "2.41.0"},
                    "subsegments": subs,
                }
                if fault:
                    seg["fault"] = True
                k.traces.append(seg)

    # NAT gateway metrics: normal throughout (egress to the IdP and other SaaS)
    nat_id = k.rid("nat")
    nat_dims = {"NatGatewayId": nat_id}
    for t, step in k.grid(start, now, fine):
        base = traffic(t) * step
        k.put(
            "AWS/NATGateway",
            "ConnectionEstablishedCount",
            nat_dims,
            t,
            "Count",
            round(base * 0.4 * (1 + k.jitter(0.1))),
        )
        k.put(
            "AWS/NATGateway",
            "ActiveConnectionCount",
            nat_dims,
            t,
            "Count",
            k.stats(step, base / step * 0.9 * (1 + 0.5 * severity(t)), 0.2) or 1,
        )
        k.put(
            "AWS/NATGateway",
            "BytesOutToDestination",
            nat_dims,
            t,
            "Bytes",
            round(base * 2100 * (1 + k.jitter(0.1))),
        )
        k.put(
            "AWS/NATGateway",
            "BytesInFromDestination",
            nat_dims,
            t,
            "Bytes",
            round(base * 5200 * (1 + k.jitter(0.1))),
        )
        k.put("AWS/NATGateway", "ErrorPortAllocation", nat_dims, t, "Count", 0)
        k.put("AWS/NATGateway", "PacketsDropCount", nat_dims, t, "Count", 0)
        k.put("AWS/NATGateway", "IdleTimeoutCount", nat_dims, t, "Count", round(base * 0.01))

    # --- resources -------------------------------------------------------------------------------
    k.res(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(created),
            "NatGatewayAddresses": [
                {
                    "AllocationId": k.rid("eipalloc"),
                    "NetworkInterfaceId": k.rid("eni"),
                    "PrivateIp": net.public[0][2] + ".12",
                    "PublicIp": k.public_ip(),
                    "AssociationId": k.rid("eipassoc"),
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "NatGatewayId": nat_id,
            "State": "available",
            "SubnetId": net.public[0][0],
            "VpcId": net.vpc,
            "Tags": [{"Key": "Name", "Value": "ledgerline-prod-nat-a"}],
            "ConnectivityType": "public",
        },
    )
    ecs_cluster(k, "ledgerline-prod", 10, 2)
    rev = rng.randint(180, 260)
    deployed = start - timedelta(days=rng.randint(1, 6), hours=rng.randint(1, 9))
    secret_name = "prod/auth-service/idp-client"
    secret_arn = k.arn("secretsmanager", f"secret:{secret_name}-{k.upper(6)}")
    task_definition(
        k,
        "auth-service",
        rev,
        f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/auth-service:2.41.0",
        "auth-service-task",
        deployed - timedelta(minutes=3),
        env={
            "NODE_ENV": "production",
            "PORT": "3000",
            "IDP_DOMAIN": idp_host,
            "IDP_AUDIENCE": "https://api.ledgerline.io",
            "IDP_HTTP_TIMEOUT_MS": "5000",
            "SESSIONS_TABLE": sessions_tbl,
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        },
        secrets={"IDP_CLIENT_SECRET": f"{secret_arn}:client_secret::"},
        port=3000,
    )
    ecs_service(
        k,
        "ledgerline-prod",
        "auth-service",
        "auth-service",
        rev,
        4,
        net,
        sg_auth,
        created,
        deployed,
        target_group=web.tg_arn,
        container_port=3000,
    )
    api_rev = rng.randint(900, 1200)
    api_deployed = onset - timedelta(minutes=rng.randint(14, 27))
    ecs_service(
        k,
        "ledgerline-prod",
        "app-api",
        "app-api",
        api_rev + 1,
        6,
        net,
        sg_api,
        created,
        api_deployed,
        target_group=api.tg_arn,
        events=[
            (
                api_deployed + timedelta(seconds=20),
                f"(service app-api) has started 3 tasks: (task {k.hex(32)}) (task {k.hex(32)}) (task {k.hex(32)}).",
            ),
            (
                api_deployed + timedelta(minutes=3),
                "(service app-api) registered 3 targets in (target-group " + api.tg_arn + ")",
            ),
            (api_deployed + timedelta(minutes=6), "(service app-api) has reached a steady state."),
            (
                api_deployed + timedelta(minutes=6, seconds=1),
                f"(service app-api) (deployment ecs-svc/{k.rng.randint(10**18, 10**19 - 1)}) deployment completed.",
            ),
        ],
    )
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": secret_arn,
            "Name": secret_name,
            "Description": f"Machine-to-machine client for {idp_host} (auth-service)",
            "KmsKeyId": k.arn("kms", f"key/{k.uuid()}"),
            "RotationEnabled": False,
            "LastChangedDate": iso(start - timedelta(days=rng.randint(40, 200))),
            "LastAccessedDate": iso(day.replace(hour=0, minute=0, second=0)),
            "Tags": [{"Key": "team", "Value": "identity"}],
            "SecretVersionsToStages": {k.uuid(): ["AWSCURRENT"]},
            "CreatedDate": iso(created),
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [{"AttributeName": "sid", "AttributeType": "S"}],
            "TableName": sessions_tbl,
            "KeySchema": [{"AttributeName": "sid", "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(10**8, 10**9),
            "ItemCount": rng.randint(200_000, 900_000),
            "TableArn": k.arn("dynamodb", f"table/{sessions_tbl}"),
            "TableId": k.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "DeletionProtectionEnabled": True,
        },
    )
    iam_role(k, "auth-service-task", "ecs-tasks.amazonaws.com", created, last_used=now - timedelta(minutes=1))
    for g in [log_auth, "/ecs/app-api"]:
        log_group(k, g, created, 90)
    register_targets_timeline(
        k, web.tg_arn, [(ip, 3000, az) for _, ip, az in auth_tasks], deployed + timedelta(minutes=2)
    )
    register_targets_timeline(
        k, api.tg_arn, [(ip, 8080, az) for _, ip, az in api_tasks], api_deployed + timedelta(minutes=3)
    )

    # app-api logs: ordinary request lines
    for t, _step in k.grid(onset - timedelta(hours=3), now, start):
        for _ in range(2):
            ti = rng.randrange(6)
            when = t + timedelta(seconds=rng.uniform(0, 59))
            route = rng.choice(
                [
                    "/v2/ledgers/{id}/entries",
                    "/v2/invoices",
                    "/v2/reports/trial-balance",
                    "/v2/bank-feeds/{id}/sync",
                ]
            )
            k.log(
                "/ecs/app-api",
                f"ecs/app-api/{api_tasks[ti][0]}",
                when,
                json.dumps(
                    {
                        "level": "info",
                        "ts": iso_ms(when),
                        "route": route,
                        "method": "GET" if "sync" not in route else "POST",
                        "status": 200,
                        "durationMs": round(rng.lognormvariate(math.log(42), 0.5)),
                        "tenant": f"org_{k.hex(10)}",
                        "msg": "handled",
                    }
                ),
            )

    # --- alarms ----------------------------------------------------------------------------------
    pager = k.arn("sns", "identity-oncall-pager")
    common: J = {"history_from": start, "updated": created + timedelta(days=rng.randint(10, 200))}
    k.alarm(
        "auth-service-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": web.dim, "TargetGroup": web.tg_dim},
        "Average",
        60,
        5,
        1.0,
        "GreaterThanThreshold",
        datapoints=3,
        actions=[pager],
        ok_actions=[pager],
        description="auth-service average response time above 1s",
        **common,
    )
    k.alarm(
        "auth-service-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": web.dim, "TargetGroup": web.tg_dim},
        "Sum",
        300,
        1,
        10,
        "GreaterThanThreshold",
        missing="notBreaching",
        actions=[pager],
        ok_actions=[pager],
        **common,
    )
    k.alarm(
        "app-api-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": web.dim, "TargetGroup": api.tg_dim},
        "Sum",
        300,
        1,
        50,
        "GreaterThanThreshold",
        missing="notBreaching",
        actions=[pager],
        **common,
    )
    k.alarm(
        "auth-service-unhealthy-targets",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"LoadBalancer": web.dim, "TargetGroup": web.tg_dim},
        "Maximum",
        60,
        3,
        0,
        "GreaterThanThreshold",
        actions=[pager],
        **common,
    )
    k.alarm(
        "ledgerline-nat-port-allocation",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        nat_dims,
        "Sum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        missing="notBreaching",
        **common,
    )
    k.evaluate_alarms(now)

    # --- CloudTrail ------------------------------------------------------------------------------
    deployer = k.role("github-actions-deploy", "GitHubActions", ip=k.public_ip())
    grafana = k.role("grafana-cloudwatch-read", "grafana", ip=k.public_ip(), ua=GRAFANA_UA)
    exec_role = k.role(
        "ecs-task-execution", f"{k.hex(32)}", ip="ecs-tasks.amazonaws.com", ua="ecs-tasks.amazonaws.com"
    )
    people = [
        k.sso("noor.haddad@ledgerline.io", "AdministratorAccess"),
        k.sso("tomasz.wojcik@ledgerline.io", "DeveloperAccess"),
        k.sso("aisha.bello@ledgerline.io", "ReadOnlyAccess"),
    ]

    def r_grafana(w: datetime) -> None:
        k.ct(
            w,
            grafana,
            "monitoring.amazonaws.com",
            rng.choice(["GetMetricData", "GetMetricData", "ListMetrics"]),
            None,
            read_only=True,
        )

    def r_person(w: datetime) -> None:
        p = rng.choice(people)
        c = rng.randrange(4)
        if c == 0:
            k.ct(w, p, "ecs.amazonaws.com", "ListServices", {"cluster": "ledgerline-prod"}, read_only=True)
        elif c == 1:
            k.ct(
                w,
                p,
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": rng.choice([web.tg_arn, api.tg_arn])},
                read_only=True,
            )
        elif c == 2:
            k.ct(w, p, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": sessions_tbl}, read_only=True)
        else:
            k.ct(w, p, "cloudtrail.amazonaws.com", "LookupEvents", {"maxResults": 50}, read_only=True)

    def r_secret(w: datetime) -> None:
        k.ct(
            w,
            exec_role,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": f"{secret_arn}"},
            read_only=True,
        )

    k.routine(start, now, rng.randint(34, 42), [r_grafana, r_grafana, r_person, r_person, r_secret])

    # innocent: the app-api deploy, and a listener rule someone added shortly before
    k.ct(
        api_deployed - timedelta(seconds=50),
        deployer,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        {},
        None,
        read_only=True,
        ua=boto_ua(k),
    )
    k.ct(
        api_deployed - timedelta(seconds=8),
        deployer,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "app-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "app-api",
                    "image": f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/app-api:{k.hex(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": k.arn("ecs", f"task-definition/app-api:{api_rev + 1}"),
                "family": "app-api",
                "revision": api_rev + 1,
                "status": "ACTIVE",
            }
        },
        ua=boto_ua(k),
    )
    k.ct(
        api_deployed,
        deployer,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": "ledgerline-prod", "service": "app-api", "taskDefinition": f"app-api:{api_rev + 1}"},
        {
            "service": {
                "serviceName": "app-api",
                "taskDefinition": k.arn("ecs", f"task-definition/app-api:{api_rev + 1}"),
                "desiredCount": 6,
            }
        },
        ua=boto_ua(k),
    )
    listener_arn = web.arn.replace(":loadbalancer/", ":listener/") + "/" + k.hex(16)
    rule_at = onset - timedelta(minutes=rng.randint(4, 12), seconds=rng.randint(0, 59))
    k.ct(
        rule_at,
        people[0],
        "elasticloadbalancing.amazonaws.com",
        "CreateRule",
        {
            "listenerArn": listener_arn,
            "conditions": [
                {"field": "path-pattern", "pathPatternConfig": {"values": ["/.well-known/security.txt"]}}
            ],
            "priority": 5,
            "actions": [
                {
                    "type": "fixed-response",
                    "fixedResponseConfig": {
                        "messageBody": "Contact: mailto:security@ledgerline.io",
                        "statusCode": "200",
                        "contentType": "text/plain",
                    },
                }
            ],
        },
        {
            "rules": [
                {
                    "ruleArn": listener_arn.replace(":listener/", ":listener-rule/") + "/" + k.hex(16),
                    "priority": "5",
                    "isDefault": False,
                }
            ]
        },
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(6, 14)),
        people[1],
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "identity-overview"},
        {"dashboardValidationMessages": []},
    )

    # --- trigger and truth -----------------------------------------------------------------------
    event, _fired = k.alarm_event("auth-service-latency-high", 0)
    q_time = onset + timedelta(minutes=rng.randint(0, 4))
    q_time -= timedelta(minutes=q_time.minute % 5)
    question = rng.choice(
        [
            f"Support is flooded with customers saying login is really slow or ends on 'Something went wrong' since about {clock(q_time, zone)}. Did something change? What's causing it?",
            f"auth-service latency alarm went off and customers can't sign in reliably, started around {clock(q_time, zone)}. What's broken?",
        ]
    )
    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": question, "alarm_event": event, "timezone": zone},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": idp_host,
                "category": "dependency_failure",
                "failure_mode": "third-party-idp-slow",
                "event_id": None,
            },
            "also_accept": [
                f"https://{idp_host}/oauth/token",
                "Auth0",
                "auth0",
                "identity provider",
                f"{tenant}.{idp_region}.auth0.com/oauth/token",
            ],
            "actions": [],
            "chain": [
                f"The identity provider {idp_host} answers /oauth/token in seconds instead of ~150 ms",
                "auth-service's code exchanges and session refreshes wait on it; many hit the 5 s client timeout",
                "auth-service returns 502 for those requests and its target response time climbs",
                "ledgerline-web ALB: auth-service target group latency alarm and 5xx; customers cannot log in",
            ],
        },
    }
    return k.bundle(manifest, now)
