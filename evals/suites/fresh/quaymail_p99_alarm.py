"""quaymail notify-gateway: a new p99 latency alarm fires minutes after it is created, the morning after a deploy."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zt import (
    GITHUB_IPS,
    UA_GRAFANA,
    AlarmSpec,
    Ctx,
    Json,
    aggregate,
    alarm_event,
    alb,
    daily,
    ecs_event,
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
    percentile,
    pick_day,
    target_group,
    target_point,
    tcp_from_cidr,
    tcp_from_sg,
    tf_ua,
)

NAME = "quaymail-notify-gateway-p99"
TITLE = "New notify-gateway p99 latency alarm fired minutes after it was set up"
SUMMARY = (
    "A golden-signals rollout adds a p99 TargetResponseTime alarm to a service whose inbox long-poll requests "
    "always hold for ~25 s; p99 has looked like that for days, nothing is wrong with the service."
)

TZ = "Australia/Sydney"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "", "ap-southeast-2")
    rng = ctx.rng
    ids = ctx.ids
    ctx.account = str(rng.randrange(10**11, 10**12))
    acct, region = ctx.account, ctx.region
    zone = ZoneInfo(TZ)

    day = pick_day(rng)
    local_created = datetime(
        day.year,
        day.month,
        day.day,
        rng.choice([9, 10, 10, 11]),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=zone,
    )
    alarm_created = local_created.astimezone(day.tzinfo)
    now = alarm_created + timedelta(minutes=rng.randint(32, 50))
    start = minute(now) - timedelta(days=2, minutes=now.minute)
    fine_from = alarm_created - timedelta(hours=3)
    deploy_at = alarm_created - timedelta(minutes=rng.randint(70, 110))
    wait_s = rng.choice([20, 25, 25, 30])
    poll_share = rng.uniform(0.22, 0.34)
    peak_local = rng.uniform(19.5, 21.0)
    peak_utc = (
        peak_local
        - (zone.utcoffset(local_created.replace(tzinfo=None)) or timedelta(0)).total_seconds() / 3600
    ) % 24

    net = make_net(ctx, "quaymail-prod", rng.choice([12, 44, 72]))
    created = day - timedelta(days=rng.randint(300, 900))
    alb_sg = make_sg(ctx, net, "quaymail-edge-alb", "public ALB", [tcp_from_cidr(443, "0.0.0.0/0")])
    svc_sg = make_sg(ctx, net, "quaymail-services", "ECS services", [tcp_from_sg(8080, alb_sg, "ALB")])
    lb_arn, lb_dim = alb(ctx, net, "quaymail-edge", alb_sg, created)
    ng_tg, ng_dim = target_group(ctx, net, "notify-gateway", lb_arn, 8080, "/ping")
    acc_tg, acc_dim = target_group(ctx, net, "accounts-api", lb_arn, 8080, "/health")
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
            "DefaultActions": [
                {
                    "Type": "fixed-response",
                    "Order": 1,
                    "FixedResponseConfig": {
                        "StatusCode": "404",
                        "ContentType": "application/json",
                        "MessageBody": '{"error":"not_found"}',
                    },
                }
            ],
        },
    )

    cluster = "quaymail-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}"
    ctx.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 8,
            "pendingTasksCount": 0,
            "activeServicesCount": 3,
            "settings": [{"name": "containerInsights", "value": "disabled"}],
            "capacityProviders": ["FARGATE"],
        },
    )
    rev = rng.randint(90, 300)
    repo_uri = f"{acct}.dkr.ecr.{region}.amazonaws.com/quaymail/notify-gateway"
    old_tag, new_tag = f"v3.{rng.randint(10, 40)}.{rng.randint(0, 9)}", ""
    new_tag = f"v3.{int(old_tag.split('.')[1])}.{int(old_tag.split('.')[2]) + 1}"
    for r, tag, when in (
        (rev, old_tag, day - timedelta(days=rng.randint(5, 12))),
        (rev + 1, new_tag, deploy_at - timedelta(seconds=40)),
    ):
        ctx.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{acct}:task-definition/notify-gateway:{r}",
                "containerDefinitions": [
                    {
                        "name": "notify-gateway",
                        "image": f"{repo_uri}:{tag}",
                        "cpu": 0,
                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                        "essential": True,
                        "environment": [
                            {"name": "POLL_MAX_WAIT_SECONDS", "value": str(wait_s)},
                            {"name": "REDIS_URL", "value": "rediss://inbox-cache.quaymail.internal:6379"},
                            {"name": "GOMAXPROCS", "value": "1"},
                        ],
                        "mountPoints": [],
                        "volumesFrom": [],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": "/ecs/notify-gateway",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                        "systemControls": [],
                    }
                ],
                "family": "notify-gateway",
                "taskRoleArn": f"arn:aws:iam::{acct}:role/notify-gateway-task",
                "executionRoleArn": f"arn:aws:iam::{acct}:role/quaymail-ecs-execution",
                "networkMode": "awsvpc",
                "revision": r,
                "volumes": [],
                "status": "ACTIVE",
                "compatibilities": ["EC2", "FARGATE"],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
                "registeredAt": iso_ms(when),
                "registeredBy": f"arn:aws:sts::{acct}:assumed-role/quaymail-gha-deploy/GitHubActions",
            },
        )
    ng_arn = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/notify-gateway"
    dep = "ecs-svc/" + str(rng.randrange(10**18, 10**19))
    netcfg = {
        "awsvpcConfiguration": {
            "subnets": list(net.private),
            "securityGroups": [svc_sg],
            "assignPublicIp": "DISABLED",
        }
    }
    for svc, count, tg, td in (
        ("notify-gateway", 3, ng_tg, f"notify-gateway:{rev + 1}"),
        ("accounts-api", 3, acc_tg, f"accounts-api:{rng.randint(40, 90)}"),
        ("digest-worker", 2, None, f"digest-worker:{rng.randint(10, 40)}"),
    ):
        ctx.res(
            "ecs",
            "Service",
            {
                "serviceArn": f"arn:aws:ecs:{region}:{acct}:service/{cluster}/{svc}",
                "serviceName": svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [{"targetGroupArn": tg, "containerName": svc, "containerPort": 8080}]
                if tg
                else [],
                "status": "ACTIVE",
                "desiredCount": count,
                "runningCount": count,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "platformFamily": "Linux",
                "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{td}",
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": dep
                        if svc == "notify-gateway"
                        else "ecs-svc/" + str(rng.randrange(10**18, 10**19)),
                        "status": "PRIMARY",
                        "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/{td}",
                        "desiredCount": count,
                        "pendingCount": 0,
                        "runningCount": count,
                        "failedTasks": 0,
                        "createdAt": iso_ms(
                            deploy_at if svc == "notify-gateway" else day - timedelta(days=rng.randint(2, 20))
                        ),
                        "updatedAt": iso_ms(
                            deploy_at + timedelta(minutes=6)
                            if svc == "notify-gateway"
                            else day - timedelta(days=1)
                        ),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "networkConfiguration": netcfg,
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment completed.",
                    }
                ],
                "events": [],
                "createdAt": iso_ms(created + timedelta(days=10)),
                "networkConfiguration": netcfg,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
                "enableExecuteCommand": False,
                **({"healthCheckGracePeriodSeconds": 15} if tg else {}),
            },
        )
    old_tasks = [
        (
            ids.hex(32),
            f"{net.private_cidrs[i].split('.')[0]}.{net.private_cidrs[i].split('.')[1]}.{int(net.private_cidrs[i].split('.')[2]) + rng.randrange(0, 15)}.{rng.randrange(10, 250)}",
            net.azs[i],
        )
        for i in range(3)
    ]
    new_tasks = [
        (
            ids.hex(32),
            f"{net.private_cidrs[i].split('.')[0]}.{net.private_cidrs[i].split('.')[1]}.{int(net.private_cidrs[i].split('.')[2]) + rng.randrange(0, 15)}.{rng.randrange(10, 250)}",
            net.azs[i],
        )
        for i in range(3)
    ]
    started = deploy_at + timedelta(seconds=rng.randint(60, 90))
    healthy_at = started + timedelta(seconds=rng.randint(20, 35))
    drain_at = healthy_at + timedelta(seconds=rng.randint(5, 15))
    for _, ip, az in old_tasks:
        target_point(ctx, ng_tg, ip, 8080, az, start - timedelta(days=2), "healthy")
        target_point(
            ctx,
            ng_tg,
            ip,
            8080,
            az,
            drain_at,
            "draining",
            "Target.DeregistrationInProgress",
            "Target deregistration is in progress",
        )
        target_point(
            ctx,
            ng_tg,
            ip,
            8080,
            az,
            drain_at + timedelta(seconds=60),
            "unused",
            "Target.NotRegistered",
            "Target is not registered to the target group",
        )
    for _, ip, az in new_tasks:
        target_point(
            ctx,
            ng_tg,
            ip,
            8080,
            az,
            started + timedelta(seconds=3),
            "initial",
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        target_point(ctx, ng_tg, ip, 8080, az, healthy_at, "healthy")
    for i in range(3):
        target_point(
            ctx,
            acc_tg,
            f"{net.private_cidrs[i].split('.')[0]}.{net.private_cidrs[i].split('.')[1]}.{int(net.private_cidrs[i].split('.')[2]) + 1}.{rng.randrange(10, 250)}",
            8080,
            net.azs[i],
            start - timedelta(days=1),
            "healthy",
        )
    ecs_event(
        ctx,
        ng_arn,
        started,
        "(service notify-gateway) has started 3 tasks: "
        + " ".join(f"(task {t[0]})" for t in new_tasks)
        + ".",
    )
    ecs_event(
        ctx,
        ng_arn,
        healthy_at - timedelta(seconds=20),
        f"(service notify-gateway) registered 3 targets in (target-group {ng_tg})",
    )
    ecs_event(ctx, ng_arn, drain_at, "(service notify-gateway) has begun draining connections on 3 tasks.")
    ecs_event(
        ctx,
        ng_arn,
        drain_at + timedelta(seconds=1),
        f"(service notify-gateway) deregistered 3 targets in (target-group {ng_tg})",
    )
    ecs_event(
        ctx,
        ng_arn,
        drain_at + timedelta(seconds=62),
        "(service notify-gateway) has stopped 3 running tasks: "
        + " ".join(f"(task {t[0]})" for t in old_tasks)
        + ".",
    )
    ecs_event(
        ctx,
        ng_arn,
        drain_at + timedelta(seconds=120),
        f"(service notify-gateway) deployment {dep} deployment completed.",
    )
    ecs_event(
        ctx, ng_arn, drain_at + timedelta(seconds=121), "(service notify-gateway) has reached a steady state."
    )
    for k in range(1, 12):
        tt = drain_at + timedelta(seconds=121) - timedelta(hours=6 * k)
        if tt > start:
            ecs_event(ctx, ng_arn, tt, "(service notify-gateway) has reached a steady state.")
    log_group(ctx, "/ecs/notify-gateway", created, 14)
    log_group(ctx, "/ecs/accounts-api", created, 14)
    ctx.res(
        "sns",
        "Topic",
        {
            "TopicArn": f"arn:aws:sns:{region}:{acct}:quaymail-oncall",
            "Attributes": {
                "TopicArn": f"arn:aws:sns:{region}:{acct}:quaymail-oncall",
                "DisplayName": "quaymail on-call",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "Owner": acct,
                "Policy": json.dumps(
                    {
                        "Version": "2008-10-17",
                        "Statement": [
                            {
                                "Sid": "cw",
                                "Effect": "Allow",
                                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                                "Action": "SNS:Publish",
                                "Resource": f"arn:aws:sns:{region}:{acct}:quaymail-oncall",
                            }
                        ],
                    }
                ),
            },
        },
    )

    # ---- metrics --------------------------------------------------------------------------------
    nd = {"LoadBalancer": lb_dim, "TargetGroup": ng_dim}
    ad = {"LoadBalancer": lb_dim, "TargetGroup": acc_dim}
    ng_p99: list[tuple[datetime, float]] = []
    acc_p99: list[tuple[datetime, float]] = []
    ng5: list[tuple[datetime, float]] = []
    base = rng.uniform(1800, 2600)
    for t, per in grid(start, now, fine_from):
        scale = per / 60
        shape = daily(t, peak_utc, low=0.15, width=5.0)
        rpm = jitter(rng, base * shape, 0.05) * scale
        polls = rpm * poll_share
        n5 = rng.choice([0] * 14 + [1, 2]) * round(scale)
        n4 = round(rpm * rng.uniform(0.008, 0.015))
        n2 = max(0, round(rpm) - n5 - n4)
        total = n2 + n4 + n5
        ctx.put("AWS/ApplicationELB", "RequestCount", nd, t, total, "Count")
        ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", nd, t, n2, "Count")
        if n4:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", nd, t, n4, "Count")
        if n5:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", nd, t, n5, "Count")
            ng5.append((t, n5))
        # long polls that find nothing are held for the full wait; the rest return quickly
        held = poll_share * rng.uniform(0.82, 0.9)
        v, c = latency_dist(
            rng,
            max(1, total),
            rng.uniform(0.028, 0.036),
            0.55,
            tail=held,
            tail_value=wait_s + 0.004,
            tail_sigma=0.00008,
        )
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", nd, t, v, c)
        ng_p99.append((t, percentile(v, c, 99)))
        healthy = 6 if (started <= t + timedelta(seconds=per) and t <= drain_at) else 3
        ctx.put_stats(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            nd,
            t,
            6 * scale,
            healthy * 6 * scale,
            3,
            healthy,
            "Count",
        )
        ctx.put_stats("AWS/ApplicationELB", "UnHealthyHostCount", nd, t, 6 * scale, 0, 0, 0, "Count")
        arpm = jitter(rng, base * 0.4 * shape, 0.06) * scale
        a4 = round(arpm * rng.uniform(0.02, 0.04))
        ctx.put("AWS/ApplicationELB", "RequestCount", ad, t, round(arpm), "Count")
        ctx.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", ad, t, round(arpm) - a4, "Count")
        if a4:
            ctx.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", ad, t, a4, "Count")
        av, ac_ = latency_dist(rng, max(1, round(arpm)), rng.uniform(0.05, 0.07), 0.6)
        ctx.put_dist("AWS/ApplicationELB", "TargetResponseTime", ad, t, av, ac_)
        acc_p99.append((t, percentile(av, ac_, 99)))
        ctx.put(
            "AWS/ApplicationELB", "RequestCount", {"LoadBalancer": lb_dim}, t, total + round(arpm), "Count"
        )
        ctx.put(
            "AWS/ApplicationELB",
            "ActiveConnectionCount",
            {"LoadBalancer": lb_dim},
            t,
            round(jitter(rng, polls * wait_s / 60 * 1.1 + 50, 0.05)),
            "Count",
        )
        ctx.put(
            "AWS/ApplicationELB",
            "NewConnectionCount",
            {"LoadBalancer": lb_dim},
            t,
            round(jitter(rng, rpm * 0.12, 0.07)),
            "Count",
        )
        for svc, cnt, cpu_base in (
            ("notify-gateway", 3, 6 + 14 * shape),
            ("accounts-api", 3, 4 + 10 * shape),
            ("digest-worker", 2, 3 + 5 * shape),
        ):
            cpu = jitter(rng, cpu_base, 0.07)
            mem = jitter(rng, {"notify-gateway": 22, "accounts-api": 38, "digest-worker": 30}[svc], 0.02)
            d = {"ClusterName": cluster, "ServiceName": svc}
            ctx.put_stats(
                "AWS/ECS",
                "CPUUtilization",
                d,
                t,
                cnt * scale,
                cpu * cnt * scale,
                cpu * 0.8,
                cpu * 1.2,
                "Percent",
            )
            ctx.put_stats(
                "AWS/ECS",
                "MemoryUtilization",
                d,
                t,
                cnt * scale,
                mem * cnt * scale,
                mem * 0.97,
                mem * 1.03,
                "Percent",
            )

    # ---- alarms ---------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{acct}:quaymail-oncall"
    ng_spec = AlarmSpec(
        "notify-gateway-p99-latency",
        "golden signals: notify-gateway p99 latency above 2s",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        nd,
        "p99",
        60,
        3,
        3,
        2.0,
        "GreaterThanThreshold",
        actions=[topic],
    )
    _, last = evaluate_alarm(ctx, ng_spec, dict(ng_p99), alarm_created, now)
    evaluate_alarm(
        ctx,
        AlarmSpec(
            "accounts-api-p99-latency",
            "golden signals: accounts-api p99 latency above 2s",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            ad,
            "p99",
            60,
            3,
            3,
            2.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        dict(acc_p99),
        alarm_created + timedelta(seconds=2),
        now,
    )
    evaluate_alarm(
        ctx,
        AlarmSpec(
            "notify-gateway-5xx",
            "golden signals: notify-gateway 5xx above 1%",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            nd,
            "Sum",
            60,
            3,
            3,
            25.0,
            "GreaterThanOrEqualToThreshold",
            actions=[topic],
        ),
        aggregate(ng5, 60),
        alarm_created + timedelta(seconds=3),
        now,
    )
    old_alarm = AlarmSpec(
        "notify-gateway-unhealthy-hosts",
        "notify-gateway targets unhealthy",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        nd,
        "Maximum",
        60,
        3,
        3,
        1.0,
        "GreaterThanOrEqualToThreshold",
        actions=[topic],
    )
    evaluate_alarm(
        ctx, old_alarm, {t: 0.0 for t, _ in ng_p99}, created + timedelta(days=40), now, eval_from=fine_from
    )
    assert last is not None

    # ---- logs -----------------------------------------------------------------------------------
    def task_for(t: datetime) -> tuple[str, str, str]:
        return rng.choice(new_tasks if t >= drain_at else old_tasks)

    t = minute(start) + timedelta(seconds=rng.randint(0, 59))
    while t < now:
        tid, ip, _ = task_for(t)
        stream = f"ecs/notify-gateway/{tid}"
        roll = rng.random()
        uid = f"u_{ids.hex(12)}"
        if roll < poll_share:
            got = rng.random() < 0.14
            dur = rng.uniform(0.02, 6.0) if got else wait_s + rng.uniform(0.0005, 0.004)
            line = {
                "time": iso_ms(t),
                "level": "INFO",
                "msg": "request",
                "method": "GET",
                "path": "/v1/inbox/poll",
                "query": f"wait={wait_s}",
                "status": 200 if got else 204,
                "duration_ms": round(dur * 1000, 1),
                "user": uid,
                "bytes": rng.randint(300, 4000) if got else 0,
            }
        elif roll < 0.96:
            path = rng.choice(["/v1/inbox", "/v1/inbox/ack", "/v1/devices/register", "/v1/preferences"])
            line = {
                "time": iso_ms(t),
                "level": "INFO",
                "msg": "request",
                "method": "POST" if path.endswith(("ack", "register")) else "GET",
                "path": path,
                "status": 200,
                "duration_ms": round(rng.uniform(6, 90), 1),
                "user": uid,
                "bytes": rng.randint(80, 9000),
            }
        elif roll < 0.985:
            line = {
                "time": iso_ms(t),
                "level": "WARN",
                "msg": "apns feedback: device token unregistered",
                "device": ids.hex(16),
                "user": uid,
            }
        else:
            line = {
                "time": iso_ms(t),
                "level": "WARN",
                "msg": "client disconnected during poll",
                "path": "/v1/inbox/poll",
                "held_ms": rng.randint(2000, 24000),
                "user": uid,
            }
        ctx.log("/ecs/notify-gateway", stream, t, json.dumps(line, separators=(",", ":")))
        t += timedelta(seconds=rng.randint(20, 50) if t >= fine_from else rng.randint(300, 700))
    for tid, _ip, _ in new_tasks:
        ctx.log(
            "/ecs/notify-gateway",
            f"ecs/notify-gateway/{tid}",
            started + timedelta(seconds=2),
            json.dumps(
                {
                    "time": iso_ms(started + timedelta(seconds=2)),
                    "level": "INFO",
                    "msg": "notify-gateway starting",
                    "version": new_tag,
                    "poll_max_wait": f"{wait_s}s",
                },
                separators=(",", ":"),
            ),
        )
    acc_tids = [ids.hex(32) for _ in range(3)]
    t = minute(start) + timedelta(minutes=rng.randint(0, 10))
    while t < now:
        ctx.log(
            "/ecs/accounts-api",
            f"ecs/accounts-api/{rng.choice(acc_tids)}",
            t,
            f"{t:%Y-%m-%dT%H:%M:%S.%f}Z INFO  [accounts-api] GET /v2/me 200 {rng.randint(20, 120)}ms",
        )
        t += timedelta(minutes=rng.randint(20, 45))

    # ---- CloudTrail -----------------------------------------------------------------------------
    gh_ip = rng.choice(GITHUB_IPS)
    ci = ctx.role(
        "quaymail-gha-deploy", "GitHubActions", deploy_at - timedelta(minutes=2), gh_ip, gha_ua("ecs.deploy")
    )
    ctx.ct(
        deploy_at - timedelta(seconds=40),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "notify-gateway",
            "containerDefinitions": [
                {
                    "name": "notify-gateway",
                    "image": f"{repo_uri}:{new_tag}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                }
            ],
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{acct}:task-definition/notify-gateway:{rev + 1}",
                "family": "notify-gateway",
                "revision": rev + 1,
                "status": "ACTIVE",
            }
        },
    )
    ctx.ct(
        deploy_at,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "notify-gateway", "taskDefinition": f"notify-gateway:{rev + 1}"},
        {
            "service": {
                "serviceName": "notify-gateway",
                "serviceArn": ng_arn,
                "taskDefinition": f"arn:aws:ecs:{region}:{acct}:task-definition/notify-gateway:{rev + 1}",
                "desiredCount": 3,
            }
        },
    )
    for k in range(4):
        ctx.ct(
            deploy_at + timedelta(seconds=45 + 60 * k),
            ci,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": ["notify-gateway"]},
            None,
            read_only=True,
        )
    # the golden-signals rollout
    tf = ctx.role(
        "quaymail-terraform",
        "tfc-run-" + ids.hex(10),
        alarm_created - timedelta(minutes=3),
        ids.ip(),
        tf_ua("cloudwatch", "1.40.0"),
    )
    for k, (name, desc, dims, stat, thr) in enumerate(
        (
            (
                "notify-gateway-p99-latency",
                "golden signals: notify-gateway p99 latency above 2s",
                nd,
                "p99",
                2.0,
            ),
            ("accounts-api-p99-latency", "golden signals: accounts-api p99 latency above 2s", ad, "p99", 2.0),
            ("notify-gateway-5xx", "golden signals: notify-gateway 5xx above 1%", nd, "Sum", 25.0),
        )
    ):
        params: Json = {
            "alarmName": name,
            "alarmDescription": desc,
            "actionsEnabled": True,
            "oKActions": [topic],
            "alarmActions": [topic],
            "metricName": "TargetResponseTime" if stat == "p99" else "HTTPCode_Target_5XX_Count",
            "namespace": "AWS/ApplicationELB",
            "dimensions": [{"name": a, "value": b} for a, b in dims.items()],
            "period": 60,
            "evaluationPeriods": 3,
            "datapointsToAlarm": 3,
            "threshold": thr,
            "comparisonOperator": "GreaterThanThreshold"
            if stat == "p99"
            else "GreaterThanOrEqualToThreshold",
            "treatMissingData": "notBreaching",
        }
        params["extendedStatistic" if stat == "p99" else "statistic"] = stat
        ctx.ct(
            alarm_created + timedelta(seconds=k),
            tf,
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            params,
            None,
        )
    ctx.ct(
        alarm_created + timedelta(seconds=5),
        tf,
        "monitoring.amazonaws.com",
        "PutDashboard",
        {"dashboardName": "golden-signals-prod"},
        {"dashboardValidationMessages": []},
    )
    ctx.ct(
        alarm_created - timedelta(seconds=20),
        tf,
        "monitoring.amazonaws.com",
        "DescribeAlarms",
        {"alarmNames": ["notify-gateway-p99-latency", "accounts-api-p99-latency", "notify-gateway-5xx"]},
        None,
        read_only=True,
    )
    ctx.ct(
        alarm_created - timedelta(seconds=18),
        tf,
        "sns.amazonaws.com",
        "GetTopicAttributes",
        {"topicArn": topic},
        None,
        read_only=True,
    )
    # application auto scaling nudges accounts-api at the morning rise (innocent)
    aas = ctx.slr(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        "application-autoscaling.amazonaws.com",
        alarm_created,
    )
    ctx.ct(
        alarm_created + timedelta(minutes=rng.randint(6, 14)),
        aas,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "accounts-api", "desiredCount": 4},
        {"service": {"serviceName": "accounts-api", "desiredCount": 4}},
    )
    ctx.ct(
        alarm_created + timedelta(minutes=rng.randint(15, 22)),
        aas,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "accounts-api", "desiredCount": 3},
        {"service": {"serviceName": "accounts-api", "desiredCount": 3}},
    )
    # humans and tools
    eng_user = rng.choice(["c.nguyen", "a.kaur", "j.oconnell", "m.rossi"]) + "@quaymail.com.au"
    eng = ctx.sso(eng_user, "Engineer", alarm_created - timedelta(hours=1), console=True)
    ctx.ct(
        alarm_created + timedelta(minutes=rng.randint(8, 12)),
        eng,
        "monitoring.amazonaws.com",
        "DescribeAlarmHistory",
        {"alarmName": "notify-gateway-p99-latency"},
        None,
        read_only=True,
    )
    ctx.ct(
        alarm_created + timedelta(minutes=rng.randint(12, 16)),
        eng,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster, "services": ["notify-gateway"]},
        None,
        read_only=True,
    )
    ctx.ct(
        alarm_created - timedelta(minutes=rng.randint(10, 25)),
        eng,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/ecs/digest-worker", "retentionInDays": 14},
        None,
    )
    graf = ctx.role("grafana-readonly", "grafana", start, ids.ip(), UA_GRAFANA)
    t = start + timedelta(minutes=rng.randint(10, 50))
    while t < now:
        ctx.ct(
            t,
            graf,
            "monitoring.amazonaws.com",
            "GetMetricData",
            {"startTime": iso(t - timedelta(hours=6)), "endTime": iso(t), "maxDatapoints": 1440},
            None,
            read_only=True,
        )
        t += timedelta(hours=rng.uniform(1.5, 3.0))
    ctx.trail.sort(key=lambda r: r["eventTime"])
    ctx.trail[:] = [r for r in ctx.trail if r["eventTime"] <= iso(now)]

    question = (
        "The new notify-gateway p99 alarm from this morning's golden-signals rollout went off straight away: p99 is sitting around "
        f"{wait_s} seconds. We also shipped {new_tag} of notify-gateway earlier this morning. Is the service actually slow for users, and do we need to roll back?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": alarm_event(ctx, ng_spec, last), "timezone": TZ},
            "truth": {"no_fault": True},
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
