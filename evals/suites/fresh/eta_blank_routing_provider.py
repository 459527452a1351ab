"""Delivery ETAs go blank when the third-party routing API that eta-svc calls starts timing out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzq import ZONES, Ctx, alb, diurnal, iso, local, target_group

NAME = "eta-blank-routing-provider"
TITLE = "Delivery ETAs blank in the driver app and on the tracking page since early afternoon"
SUMMARY = (
    "The external routing API eta-svc uses for travel-time matrices started answering in 5-10 s and timing "
    "out; eta-svc's calls hit their 5 s timeout and it answers 503, so ETAs disappear. An eta-svc deploy "
    "shortly before is innocent."
)

SERVICES = ["driver-api", "eta-svc", "dispatch-svc", "tracking-svc", "notify-svc"]
VENDOR = "api.routemesh.io"


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    zone = ZONES[ctx.region]
    lday = ctx.day.astimezone(ZoneInfo(zone))
    onset = datetime(
        lday.year, lday.month, lday.day, 13, r.randint(20, 59), r.randint(0, 59), tzinfo=ZoneInfo(zone)
    )
    onset = onset.astimezone(UTC)
    start = (onset - timedelta(minutes=r.randint(200, 230))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(35, 55))).replace(second=0)
    created = start - timedelta(days=r.randint(200, 700))
    cluster = "courierly-prod"
    peak = (onset.hour + 2) % 24

    sg_pub, sg_int, sg_tasks = ("sg-" + ctx.hex(17) for _ in range(3))
    pub_arn, pub_dim = alb(ctx, "courierly-api", False, sg_pub, created)
    int_arn, int_dim = alb(ctx, "courierly-internal", True, sg_int, created)
    tgs = {
        "driver-api": target_group(ctx, "driver-api", pub_arn),
        "tracking-svc": target_group(ctx, "tracking-web", pub_arn),
        "eta-svc": target_group(ctx, "eta-svc", int_arn, 8000, "/healthz"),
        "dispatch-svc": target_group(ctx, "dispatch-svc", int_arn),
    }
    nat = "nat-" + ctx.hex(17)
    ctx.resource(
        "ec2",
        "NatGateway",
        {
            "CreateTime": iso(created),
            "NatGatewayAddresses": [
                {
                    "AllocationId": "eipalloc-" + ctx.hex(17),
                    "NetworkInterfaceId": "eni-" + ctx.hex(17),
                    "PrivateIp": ctx.ip(0),
                    "PublicIp": f"52.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
                    "IsPrimary": True,
                    "Status": "succeeded",
                }
            ],
            "NatGatewayId": nat,
            "State": "available",
            "SubnetId": ctx.subnets[0],
            "VpcId": ctx.vpc,
            "ConnectivityType": "public",
            "Tags": [{"Key": "Name", "Value": "courierly-prod-nat-a"}],
        },
    )

    counts = {"driver-api": 4, "eta-svc": 3, "dispatch-svc": 3, "tracking-svc": 3, "notify-svc": 2}
    ctx.cluster(cluster, len(SERVICES), sum(counts.values()))
    eta_deploy = onset - timedelta(minutes=r.randint(28, 45))
    revs = {s: r.randint(20, 300) for s in SERVICES}
    svc_arn: dict[str, str] = {}
    td: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    for s in SERVICES:
        deployed = (
            eta_deploy
            if s == "eta-svc"
            else start - timedelta(days=r.randint(1, 15), minutes=r.randint(0, 900))
        )
        env = {"AWS_XRAY_DAEMON_ADDRESS": "localhost:2000"}
        if s == "eta-svc":
            env |= {
                "ROUTEMESH_BASE_URL": f"https://{VENDOR}/v2",
                "ROUTEMESH_TIMEOUT_SECONDS": "5",
                "ROUTEMESH_RETRIES": "1",
                "LOG_LEVEL": "INFO",
                "WEB_CONCURRENCY": "4",
            }
        if s == "driver-api":
            env |= {
                "ETA_URL": "http://eta.internal.courierly.co:80",
                "DISPATCH_URL": "http://dispatch.internal.courierly.co:80",
            }
        tg = tgs.get(s)
        svc_arn[s], td[s], tasks[s] = ctx.service(
            cluster,
            s,
            revs[s],
            counts[s],
            sg_tasks,
            created,
            deployed,
            f"{deployed:%Y.%m.%d}-{ctx.hex(7)}",
            env,
            port=8000 if s == "eta-svc" else 8080,
            tg_arn=tg[0] if tg else None,
        )
        for i, tid in enumerate(tasks[s]):
            ctx.task(cluster, s, td[s], tid, i % 3, ctx.ip(i % 3), deployed + timedelta(seconds=50 + 25 * i))
    old_eta = [ctx.hex(32) for _ in tasks["eta-svc"]]

    # --- CloudTrail ----------------------------------------------------------------------------------
    ctx.readonly_noise(start, now, cluster, SERVICES, r.randint(70, 95))
    gha = "github-actions-deploy"
    t = eta_deploy - timedelta(minutes=2)
    ctx.ct(
        t,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ctx.role_identity(gha, "GitHubActions", t),
        {
            "family": "eta-svc",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "eta-svc",
                    "image": f"{ctx.account}.dkr.ecr."
                    f"{ctx.region}.amazonaws.com/eta-svc:{eta_deploy:%Y.%m.%d}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td["eta-svc"],
                "family": "eta-svc",
                "revision": revs["eta-svc"],
                "status": "ACTIVE",
            }
        },
    )
    ctx.ct(
        eta_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        ctx.role_identity(gha, "GitHubActions", eta_deploy),
        {"cluster": cluster, "service": "eta-svc", "taskDefinition": td["eta-svc"]},
        {
            "service": {
                "serviceArn": svc_arn["eta-svc"],
                "serviceName": "eta-svc",
                "taskDefinition": td["eta-svc"],
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    t = onset - timedelta(minutes=r.randint(70, 110))
    ctx.ct(
        t,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        ctx.sso_identity("kwame.asante", "NetworkAdmin", t),
        {
            "groupId": sg_int,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 80,
                        "toPort": 80,
                        "ipRanges": {"items": [{"cidrIp": "10.60.0.0/16", "description": "vpn clients"}]},
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
                        "groupOwnerId": ctx.account,
                        "groupId": sg_int,
                        "securityGroupRuleId": "sgr-" + ctx.hex(17),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 80,
                        "toPort": 80,
                        "cidrIpv4": "10.60.0.0/16",
                        "description": "vpn clients",
                    }
                ]
            },
        },
        agent="AWS Internal",
    )
    t = onset + timedelta(minutes=r.randint(3, 9))
    ctx.ct(
        t,
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        ctx.role_identity("ecsTaskExecutionRole", "ecs-tasks", t, "ecs-tasks.amazonaws.com"),
        {"secretId": ctx.arn("secretsmanager", "secret:prod/notify-svc/twilio-" + ctx.hex(6))},
        None,
        True,
    )
    look = onset + timedelta(minutes=r.randint(14, 24))
    who = ctx.sso_identity("mira.novak", "Developer", look)
    lookups: list[tuple[str, dict[str, Any]]] = [
        ("DescribeServices", {"cluster": cluster, "services": ["eta-svc"]}),
        ("DescribeTaskDefinition", {"taskDefinition": f"eta-svc:{revs['eta-svc']}"}),
        ("DescribeTaskDefinition", {"taskDefinition": f"eta-svc:{revs['eta-svc'] - 1}"}),
    ]
    for k, (name, params) in enumerate(lookups):
        ctx.ct(
            look + timedelta(seconds=30 * k),
            "ecs.amazonaws.com",
            name,
            who,
            params,
            None,
            True,
            "AWS Internal",
        )

    # --- ECS events ----------------------------------------------------------------------------------
    for s in SERVICES:
        t = start + timedelta(minutes=r.randint(5, 300))
        while t < now:
            ctx.ecs_event(svc_arn[s], t, f"(service {s}) has reached a steady state.")
            t += timedelta(hours=6)
    for i, tid in enumerate(tasks["eta-svc"]):
        ctx.ecs_event(
            svc_arn["eta-svc"],
            eta_deploy + timedelta(seconds=20 + i),
            f"(service eta-svc) has started 1 tasks: (task {tid}).",
        )
    for i, tid in enumerate(old_eta):
        ctx.ecs_event(
            svc_arn["eta-svc"],
            eta_deploy + timedelta(minutes=3, seconds=i),
            f"(service eta-svc) has stopped 1 running tasks: (task {tid}).",
        )
    ctx.ecs_event(
        svc_arn["eta-svc"],
        eta_deploy + timedelta(minutes=5),
        f"(service eta-svc) (deployment ecs-svc/{r.randint(10**18, 10**19 - 1)}) deployment completed.",
    )
    ctx.ecs_event(
        svc_arn["eta-svc"],
        eta_deploy + timedelta(minutes=5, seconds=2),
        "(service eta-svc) has reached a steady state.",
    )

    # --- metrics -------------------------------------------------------------------------------------
    fl = start + timedelta(minutes=r.randint(20, 100))

    def reqs(t: datetime) -> float:
        return max(60.0, diurnal(t, peak, 800, 350)) * r.uniform(0.93, 1.07)

    t = start
    while t <= now:
        n = reqs(t)
        broken = t >= onset
        eta_n = n * 0.45
        slow = min(0.85, 0.35 + (t - onset).total_seconds() / 1800) if broken else 0.0
        fail = eta_n * slow * r.uniform(0.9, 1.05)
        d_eta = {"LoadBalancer": int_dim, "TargetGroup": tgs["eta-svc"][1]}
        ctx.metric("AWS/ApplicationELB", "RequestCount", d_eta, t, "Count", value=round(eta_n))
        e5 = round(fail) + (1 if r.random() < 0.06 else 0)
        if e5:
            ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d_eta, t, "Count", value=e5)
        vals = [0.09, 0.14, 0.2, 0.3, 0.5, 1.1]
        ok = eta_n - fail
        cnt = [max(1.0, round(ok * f)) for f in (0.15, 0.3, 0.3, 0.15, 0.08, 0.02)]
        if broken:
            vals += [5.2, 10.4]
            cnt += [max(1.0, round(fail * 0.35)), max(1.0, round(fail * 0.65))]
        ctx.metric("AWS/ApplicationELB", "TargetResponseTime", d_eta, t, "Seconds", values=vals, counts=cnt)
        for s in ("dispatch-svc",):
            dd = {"LoadBalancer": int_dim, "TargetGroup": tgs[s][1]}
            m = float(round(n * 0.3))
            ctx.metric("AWS/ApplicationELB", "RequestCount", dd, t, "Count", value=m)
            ctx.metric(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dd,
                t,
                "Seconds",
                values=[0.01, 0.02, 0.03, 0.06, 0.15]
                + (
                    [round(r.uniform(0.7, 1.2), 3)]
                    if fl - timedelta(minutes=2) <= t < fl + timedelta(minutes=3)
                    else []
                ),
                counts=[max(1.0, round(m * f)) for f in (0.2, 0.4, 0.25, 0.12, 0.03)]
                + (
                    [max(1.0, round(m * 0.04))]
                    if fl - timedelta(minutes=2) <= t < fl + timedelta(minutes=3)
                    else []
                ),
            )
        for s in ("eta-svc", "dispatch-svc"):
            dd = {"LoadBalancer": int_dim, "TargetGroup": tgs[s][1]}
            hh = counts[s]
            if s == "eta-svc" and eta_deploy <= t < eta_deploy + timedelta(minutes=3):
                hh = 6 if t >= eta_deploy + timedelta(minutes=1) else 3
            ctx.metric("AWS/ApplicationELB", "HealthyHostCount", dd, t, "Count", value=hh)
        for s in ("driver-api", "tracking-svc"):
            dd = {"LoadBalancer": pub_dim, "TargetGroup": tgs[s][1]}
            m = n * (0.6 if s == "driver-api" else 0.4)
            ctx.metric("AWS/ApplicationELB", "RequestCount", dd, t, "Count", value=round(m))
            bad5 = 1 if r.random() < 0.1 else 0
            if bad5:
                ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dd, t, "Count", value=bad5)
            base = 0.05 if not broken else 0.05 + 1.8 * slow
            ctx.metric(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dd,
                t,
                "Seconds",
                values=[0.02, 0.04, 0.07, 0.12, max(0.3, base * 2), max(0.6, base * 4)],
                counts=[max(1.0, round(m * f)) for f in (0.2, 0.3, 0.25, 0.15, 0.07, 0.03)],
            )
        ctx.metric(
            "AWS/ApplicationELB", "RequestCount", {"LoadBalancer": pub_dim}, t, "Count", value=round(n)
        )
        for s in SERVICES:
            dims = {"ClusterName": cluster, "ServiceName": s}
            cpu: float = {
                "driver-api": 28,
                "eta-svc": 35,
                "dispatch-svc": 21,
                "tracking-svc": 17,
                "notify-svc": 6,
            }[s]
            cpu *= n / 800
            if s == "eta-svc" and broken:
                cpu *= 1 - 0.5 * slow
            if s == "eta-svc" and eta_deploy <= t < eta_deploy + timedelta(minutes=4):
                cpu *= 1.4
            ctx.metric("AWS/ECS", "CPUUtilization", dims, t, "Percent", value=cpu * r.uniform(0.9, 1.1))
            mem: float = {
                "driver-api": 46,
                "eta-svc": 39,
                "dispatch-svc": 52,
                "tracking-svc": 35,
                "notify-svc": 28,
            }[s]
            ctx.metric("AWS/ECS", "MemoryUtilization", dims, t, "Percent", value=mem * r.uniform(0.97, 1.03))
        nd = {"NatGatewayId": nat}
        conns = 420 * n / 800 * r.uniform(0.92, 1.08) + (fail * 0.6 if broken else 0)
        ctx.metric("AWS/NATGateway", "ActiveConnectionCount", nd, t, "Count", value=round(conns))
        ctx.metric("AWS/NATGateway", "ConnectionEstablishedCount", nd, t, "Count", value=round(conns * 0.55))
        ctx.metric("AWS/NATGateway", "ErrorPortAllocation", nd, t, "Count", value=0)
        ctx.metric("AWS/NATGateway", "PacketsDropCount", nd, t, "Count", value=0)
        ctx.metric("AWS/NATGateway", "IdleTimeoutCount", nd, t, "Count", value=r.randint(0, 3))
        ctx.metric("AWS/NATGateway", "BytesOutToDestination", nd, t, "Bytes", value=round(conns * 9200))
        t += timedelta(minutes=1)

    # --- alarms --------------------------------------------------------------------------------------
    a_time = onset.replace(second=0) + timedelta(minutes=4, seconds=r.randint(10, 40))
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{r.uniform(5.1, 5.3):.3f} "
        f"({(onset + timedelta(minutes=3)):%d/%m/%y %H:%M:00}), ...] were greater than the threshold (2.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    ctx.alarm(
        "eta-svc-p95-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": int_dim, "TargetGroup": tgs["eta-svc"][1]},
        "p95",
        2.0,
        "GreaterThanThreshold",
        3,
        3,
        "ALARM",
        a_time,
        reason,
        description="eta-svc p95 behind courierly-internal",
        topic="courierly-oncall",
    )
    ctx.history("eta-svc-p95-latency", a_time, "OK", "ALARM", reason)
    e_time = onset.replace(second=0) + timedelta(minutes=6, seconds=r.randint(10, 40))
    er = "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (20.0)."
    ctx.alarm(
        "eta-svc-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": int_dim, "TargetGroup": tgs["eta-svc"][1]},
        "Sum",
        20,
        "GreaterThanThreshold",
        5,
        5,
        "ALARM",
        e_time,
        er,
        missing="notBreaching",
        topic="courierly-oncall",
    )
    ctx.history("eta-svc-target-5xx", e_time, "OK", "ALARM", er)
    ctx.alarm(
        "nat-a-error-port-allocation",
        "AWS/NATGateway",
        "ErrorPortAllocation",
        {"NatGatewayId": nat},
        "Sum",
        0,
        "GreaterThanThreshold",
        1,
        1,
        "OK",
        start - timedelta(days=30),
        "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
        topic="courierly-oncall",
    )
    for s in ("eta-svc", "driver-api", "dispatch-svc"):
        ctx.alarm(
            f"{s}-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": s},
            "Average",
            80,
            "GreaterThanThreshold",
            5,
            5,
            "OK",
            start - timedelta(days=r.randint(2, 40)),
            "Threshold Crossed: 5 datapoints were not greater than the threshold (80.0).",
            topic="courierly-oncall",
        )
    fr = "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (0.5)."
    ctx.alarm(
        "dispatch-svc-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": int_dim, "TargetGroup": tgs["dispatch-svc"][1]},
        "p99",
        0.5,
        "GreaterThanThreshold",
        2,
        2,
        "OK",
        fl + timedelta(minutes=4),
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (0.5).",
        topic="courierly-oncall",
    )
    ctx.history("dispatch-svc-p99-latency", fl, "OK", "ALARM", fr)
    ctx.history(
        "dispatch-svc-p99-latency",
        fl + timedelta(minutes=4),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (0.5).",
    )

    # --- logs ----------------------------------------------------------------------------------------
    def pylog(ts: datetime, level: str, logger: str, msg: str) -> str:
        return f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d} {level} [{logger}] {msg}"

    t = start
    while t <= now:
        broken = t >= onset
        eta_tasks = tasks["eta-svc"] if t >= eta_deploy + timedelta(minutes=2) else old_eta
        slow = min(0.85, 0.35 + (t - onset).total_seconds() / 1800) if broken else 0.0
        for tid in eta_tasks:
            stream = f"ecs/eta-svc/{tid}"
            for _ in range(2):
                ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
                peer = f"10.40.{r.randint(1, 40)}.{r.randint(2, 250)}:{r.randint(32768, 60999)}"
                if r.random() < slow:
                    if r.random() < 0.8:
                        err = "httpx.ReadTimeout: The read operation timed out"
                    else:
                        err = (
                            f"httpx.HTTPStatusError: Server error '504 Gateway Time-out' for url "
                            f"'https://{VENDOR}/v2/matrix'"
                        )
                    ctx.log(
                        "/ecs/eta-svc",
                        stream,
                        ts,
                        pylog(
                            ts,
                            "WARNING",
                            "eta.providers.routemesh",
                            f"matrix request failed (attempt 2/2): {err}",
                        ),
                    )
                    ctx.log(
                        "/ecs/eta-svc",
                        stream,
                        ts + timedelta(milliseconds=3),
                        pylog(
                            ts, "ERROR", "eta.api", "eta unavailable for stop batch: routing provider error"
                        ),
                    )
                    ctx.log(
                        "/ecs/eta-svc",
                        stream,
                        ts + timedelta(milliseconds=4),
                        f'INFO:     {peer} - "POST /v1/eta/batch HTTP/1.1" 503 Service Unavailable',
                    )
                else:
                    ctx.log(
                        "/ecs/eta-svc", stream, ts, f'INFO:     {peer} - "POST /v1/eta/batch HTTP/1.1" 200 OK'
                    )
            if r.random() < 0.03:
                ts = t + timedelta(seconds=r.randint(0, 59))
                ctx.log(
                    "/ecs/eta-svc",
                    stream,
                    ts,
                    pylog(
                        ts,
                        "WARNING",
                        "eta.providers.routemesh",
                        "matrix request failed (attempt 1/2): httpx.ConnectError: [Errno 104] Connection reset by "
                        "peer",
                    ),
                )
        if r.random() < 0.25:
            tid = r.choice(tasks["notify-svc"])
            ts = t + timedelta(seconds=r.randint(0, 59))
            line = {
                "level": "info",
                "time": ts.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "msg": "sms sent",
                "provider": "twilio",
                "status": 201,
                "latency_ms": r.randint(180, 420),
            }
            ctx.log("/ecs/notify-svc", f"ecs/notify-svc/{tid}", ts, json.dumps(line, separators=(",", ":")))
        t += timedelta(minutes=1)
    for i, tid in enumerate(tasks["eta-svc"]):
        ts = eta_deploy + timedelta(seconds=60 + 25 * i)
        for k, msg in enumerate(
            [
                "INFO:     Started server process [1]",
                "INFO:     Waiting for application startup.",
                "INFO:     Application startup complete.",
                "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
            ]
        ):
            ctx.log("/ecs/eta-svc", f"ecs/eta-svc/{tid}", ts + timedelta(milliseconds=k * 40), msg)

    # --- traces --------------------------------------------------------------------------------------
    t = start
    while t <= now:
        broken = t >= onset
        slow = min(0.85, 0.35 + (t - onset).total_seconds() / 1800) if broken else 0.0
        trace = ctx.trace_id(t)
        bad = r.random() < slow
        eta_tasks = tasks["eta-svc"] if t >= eta_deploy + timedelta(minutes=2) else old_eta
        subs = []
        if bad:
            d1 = 5.0 + r.uniform(0.001, 0.01)
            subs.append(
                ctx.sub_http(
                    t + timedelta(milliseconds=5),
                    d1,
                    VENDOR,
                    "POST",
                    f"https://{VENDOR}/v2/matrix",
                    None,
                    "ReadTimeout: The read operation timed out",
                )
            )
            if r.random() < 0.5:
                subs.append(
                    ctx.sub_http(
                        t + timedelta(seconds=d1 + 0.01),
                        5.0 + r.uniform(0.001, 0.01),
                        VENDOR,
                        "POST",
                        f"https://{VENDOR}/v2/matrix",
                        None,
                        "ReadTimeout: The read operation timed out",
                    )
                )
            else:
                subs.append(
                    ctx.sub_http(
                        t + timedelta(seconds=d1 + 0.01),
                        r.uniform(4.1, 4.9),
                        VENDOR,
                        "POST",
                        f"https://{VENDOR}/v2/matrix",
                        504,
                    )
                )
            dur = 10.05
            status = 503
        else:
            d1 = r.uniform(0.08, 0.25) if not broken else r.uniform(1.2, 4.5)
            subs.append(
                ctx.sub_http(
                    t + timedelta(milliseconds=5), d1, VENDOR, "POST", f"https://{VENDOR}/v2/matrix", 200
                )
            )
            dur = d1 + 0.02
            status = 200
        seg = ctx.segment(
            "eta-svc",
            t,
            dur,
            "POST",
            "http://eta.internal.courierly.co/v1/eta/batch",
            status,
            r.choice(eta_tasks),
            subs,
            trace_id=trace,
        )
        seg["aws"]["xray"] = {"sdk": "X-Ray for Python", "sdk_version": "2.14.0"}
        t += timedelta(seconds=r.randint(50, 140) if not broken else r.randint(20, 45))

    hhmm = local(onset + timedelta(minutes=r.randint(3, 10)), zone)
    question = (
        f"Drivers say the next-stop card shows '--' instead of an ETA since about {hhmm}, and customers' tracking "
        "pages say 'arriving today' with no time. eta-svc went out just after lunch - should we roll it back?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": VENDOR,
            "category": "dependency_failure",
            "failure_mode": "third-party-api-timeouts",
        },
        "also_accept": ["routemesh", "RouteMesh routing API", f"https://{VENDOR}/v2/matrix"],
        "actions": ["reconfigure"],
        "chain": [VENDOR, "eta-svc", "driver-api", "tracking-svc"],
    }
    return ctx.bundle(TITLE, start, now, {"question": question, "timezone": zone}, truth)
