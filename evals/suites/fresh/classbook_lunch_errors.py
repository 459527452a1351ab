"""classbook-api (gym class booking, ECS Fargate behind an ALB, Aurora PostgreSQL through RDS Proxy):
5xx and slow bookings as the lunchtime peak builds."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_ze as k

NAME = "classbook-lunch-errors"
TITLE = "classbook-api 5xx alarm as the lunchtime bookings start"
SUMMARY = (
    "Bookings fail and hang at the lunch peak; a morning edit of the RDS Proxy target group's "
    "MaxConnectionsPercent caps the database connections below what the peak needs."
)

OFFSET_H = 1.0  # Europe/London in summer (BST)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    region = "eu-west-2"
    acct = k.account(rng)
    d0 = k.day(rng, rng.choice([1, 2, 3]), datetime(2024, 4, 15, tzinfo=UTC), 26)
    onset = d0 + timedelta(hours=11 - OFFSET_H, minutes=rng.randrange(0, 25))  # ~12:00-12:25 local
    change_at = onset - timedelta(minutes=rng.randrange(130, 170), seconds=rng.randrange(60))
    deploy_at = onset - timedelta(minutes=rng.randrange(18, 26), seconds=rng.randrange(60))
    now = onset + timedelta(minutes=rng.randrange(38, 52))
    start = onset - timedelta(hours=7)
    grid = k.Grid(start, now, onset - timedelta(minutes=100))
    mins = grid.mins

    # ---- names and ids ----------------------------------------------------------------------------
    lb_hex, tg_hex = k.hexs(rng, 16), k.hexs(rng, 16)
    lb_dim = f"app/classbook-prod-alb/{lb_hex}"
    tg_dim = f"targetgroup/classbook-api-tg/{tg_hex}"
    lb_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:loadbalancer/{lb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{region}:{acct}:{tg_dim}"
    vpc = k.vpc_id(rng)
    subnets = k.subnet_ids(rng, 3)
    sg_app, sg_proxy, sg_db, sg_alb = (k.sg_id(rng) for _ in range(4))
    cluster = "classbook-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{acct}:cluster/{cluster}"
    svc_arn = f"arn:aws:ecs:{region}:{acct}:service/{cluster}/classbook-api"
    td_old, td_new = rng.randrange(140, 190), 0
    td_new = td_old + 1
    td_arn = f"arn:aws:ecs:{region}:{acct}:task-definition/classbook-api"
    proxy = "classbook-proxy"
    proxy_id = "prx-0" + k.hexs(rng, 16)
    proxy_arn = f"arn:aws:rds:{region}:{acct}:db-proxy:{proxy_id}"
    ptg_arn = f"arn:aws:rds:{region}:{acct}:target-group:prx-tg-0{k.hexs(rng, 16)}"
    dbc = "classbook-aurora-prod"
    writer, reader = f"{dbc}-1", f"{dbc}-2"
    cl_res = "cluster-" + k.alnum(rng, 26)
    dns_id = k.alnum(rng, 12, upper=False)
    fn = "classbook-waitlist-promoter"
    fn_arn = f"arn:aws:lambda:{region}:{acct}:function:{fn}"
    q_name, dlq_name = "classbook-waitlist-events", "classbook-waitlist-events-dlq"
    q_arn = f"arn:aws:sqs:{region}:{acct}:{q_name}"
    dlq_arn = f"arn:aws:sqs:{region}:{acct}:{dlq_name}"
    topic = f"arn:aws:sns:{region}:{acct}:classbook-oncall"
    tasks_old = [k.hexs(rng, 32) for _ in range(8)]
    tasks_new = [k.hexs(rng, 32) for _ in range(8)]
    ips_old = [k.ip_in(rng, f"10.42.{10 + i % 3}") for i in range(8)]
    ips_new = [k.ip_in(rng, f"10.42.{10 + i % 3}") for i in range(8)]
    deploy_done = deploy_at + timedelta(minutes=7, seconds=rng.randrange(50))

    max_conn = 1000
    pct_before, pct_after = 90, rng.choice([20, 20, 25])
    cap = max_conn * pct_after // 100

    # ---- load model -------------------------------------------------------------------------------
    lunch_c = k.local_hour(onset, OFFSET_H) + 0.55
    base_peaks = [(7.2, 1.1, 0.55), (17.6, 1.3, 0.7)]
    lunch_w = 0.9

    def shape_wo_lunch(t: datetime) -> float:
        return k.weekday_shape(t, OFFSET_H, base_peaks, 0.12)

    # demand for DB connections: crosses `cap` at the onset minute
    b_on = k.bump(k.local_hour(onset, OFFSET_H), lunch_c, lunch_w)
    h_lunch = (cap + 2 - 20 - 230 * shape_wo_lunch(onset)) / (230 * b_on)
    noise_d = k.Noise(rng, 0.02, 0.02)

    demand: dict[datetime, float] = {}
    shape: dict[datetime, float] = {}
    for t in mins:
        s = shape_wo_lunch(t) + h_lunch * k.bump(k.local_hour(t, OFFSET_H), lunch_c, lunch_w)
        shape[t] = s
        demand[t] = (20 + 230 * s) * noise_d()
        if t < onset and demand[t] > cap - 3:
            demand[t] = cap - 3 - rng.random() * 4
    allowed = {t: (pct_before if t < change_at else pct_after) * max_conn / 100 for t in mins}

    def impact(t: datetime) -> float:
        return max(0.0, (demand[t] - allowed[t]) / allowed[t])

    rpm = {t: 3300 * shape[t] * (1 + rng.gauss(0, 0.03)) for t in mins}

    m = k.Metrics(grid)
    alb = {"LoadBalancer": lb_dim}
    albtg = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    m.add("AWS/ApplicationELB", "RequestCount", alb, "Count", lambda t: rpm[t], integer=True)
    m.add("AWS/ApplicationELB", "RequestCount", albtg, "Count", lambda t: rpm[t], integer=True)

    def t5xx(t: datetime) -> float:
        i = impact(t)
        base = rpm[t] * 0.0004 * rng.random()
        return base + rpm[t] * min(0.45, 1.6 * i) * (0.8 + 0.4 * rng.random())

    five = m.add(
        "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", albtg, "Count", t5xx, omit_zero=True, integer=True
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        alb,
        "Count",
        lambda t: five.get(t, 0.0),
        omit_zero=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        albtg,
        "Count",
        lambda t: rpm[t] * 0.965 - five.get(t, 0.0),
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        albtg,
        "Count",
        lambda t: rpm[t] * 0.03 * (0.8 + 0.4 * rng.random()),
        omit_zero=True,
        integer=True,
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        alb,
        "Count",
        lambda t: (
            (rng.random() < 0.03) * 1.0 + (rpm[t] * 0.01 * impact(t) * rng.random() if impact(t) > 0.2 else 0)
        ),
        omit_zero=True,
        integer=True,
    )

    def healthy(t: datetime) -> float:
        return 16.0 if deploy_at + timedelta(minutes=2) <= t < deploy_done else 8.0

    m.add("AWS/ApplicationELB", "HealthyHostCount", albtg, "Count", healthy)
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", albtg, "Count", lambda t: 0.0)
    trt = m.dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        albtg,
        "Seconds",
        lambda t: (
            rpm[t] - five.get(t, 0.0),
            0.042 * (1 + 0.3 * shape[t]) * (1 + 25 * impact(t)) * (1 + rng.gauss(0, 0.05)),
        ),
        rng,
        extra=lambda t: (five[t], 30.0 + rng.random() * 0.05) if five.get(t, 0) >= 5 else None,
    )
    ecs_dims = {"ClusterName": cluster, "ServiceName": "classbook-api"}
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        ecs_dims,
        "Percent",
        lambda t: 9 + 34 * shape[t] * (1 - 0.4 * min(1, impact(t))) + rng.gauss(0, 1.2),
    )
    m.add(
        "AWS/ECS",
        "MemoryUtilization",
        ecs_dims,
        "Percent",
        lambda t: (38 if deploy_done <= t else 51) + 6 * shape[t] + rng.gauss(0, 0.6),
    )

    px = {"ProxyName": proxy}
    dbconn = {t: min(demand[t], allowed[t] - rng.random() * 2) for t in mins}
    m.add("AWS/RDS", "DatabaseConnections", px, "Count", lambda t: dbconn[t], integer=True)
    m.add("AWS/RDS", "MaxDatabaseConnectionsAllowed", px, "Count", lambda t: allowed[t])
    m.add(
        "AWS/RDS",
        "DatabaseConnectionsCurrentlySessionPinned",
        px,
        "Count",
        lambda t: dbconn[t] * 0.93,
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "ClientConnections",
        px,
        "Count",
        lambda t: min(8 * 40 + 50, demand[t] * 1.12 + 96 + 130 * min(1, 3 * impact(t))) + rng.gauss(0, 3),
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "DatabaseConnectionsBorrowLatency",
        px,
        "Microseconds",
        lambda t: 45 + 20 * rng.random() + 2_400_000 * min(1.0, impact(t) * 2.5) * (0.7 + 0.6 * rng.random()),
    )
    m.add(
        "AWS/RDS",
        "QueryDatabaseResponseLatency",
        px,
        "Microseconds",
        lambda t: 2100 + 900 * shape[t] + rng.gauss(0, 150),
    )
    m.add(
        "AWS/RDS",
        "ClientConnectionsReceived",
        px,
        "Count",
        lambda t: 4 + 10 * rng.random() + 40 * impact(t),
        integer=True,
    )
    m.add(
        "AWS/RDS",
        "AvailabilityPercentage",
        {"ProxyName": proxy, "TargetGroup": "default", "TargetRole": "READ_WRITE"},
        "Percent",
        lambda t: 100.0,
    )

    w = {"DBInstanceIdentifier": writer}
    r = {"DBInstanceIdentifier": reader}
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        w,
        "Percent",
        lambda t: 11 + 26 * min(shape[t], 0.85 + 0.1 * rng.random()) + rng.gauss(0, 1.5),
    )
    m.add(
        "AWS/RDS", "DatabaseConnections", w, "Count", lambda t: dbconn[t] + 9 + rng.randrange(3), integer=True
    )
    m.add(
        "AWS/RDS",
        "FreeableMemory",
        w,
        "Bytes",
        lambda t: 14.1e9 - 1.6e9 * min(shape[t], 0.9) + rng.gauss(0, 4e7),
        digits=0,
    )
    m.add("AWS/RDS", "CommitLatency", w, "Milliseconds", lambda t: 1.6 + 0.7 * shape[t] + rng.gauss(0, 0.12))
    m.add("AWS/RDS", "CPUUtilization", r, "Percent", lambda t: 6 + 9 * shape[t] + rng.gauss(0, 1))
    m.add("AWS/RDS", "DatabaseConnections", r, "Count", lambda t: 14 + rng.randrange(4), integer=True)
    m.add("AWS/RDS", "AuroraReplicaLag", r, "Milliseconds", lambda t: 14 + rng.random() * 9)

    # waitlist promoter: SQS-triggered Lambda on the same proxy
    inv = {t: max(0.0, 40 * shape[t] * (1 + rng.gauss(0, 0.12))) for t in mins}
    ferr = {t: round(inv[t] * min(0.7, 2.0 * impact(t))) for t in mins}
    ld = {"FunctionName": fn}
    m.add("AWS/Lambda", "Invocations", ld, "Count", lambda t: inv[t], integer=True)
    m.add("AWS/Lambda", "Errors", ld, "Count", lambda t: ferr[t], integer=True)
    m.add(
        "AWS/Lambda",
        "ConcurrentExecutions",
        ld,
        "Count",
        lambda t: 1 + inv[t] * 0.01 + 9 * min(1, 3 * impact(t)),
        integer=True,
    )
    m.dist(
        "AWS/Lambda",
        "Duration",
        ld,
        "Milliseconds",
        lambda t: (inv[t], min(15000.0, 95 * (1 + 90 * impact(t)))) if inv[t] >= 1 else None,
        rng,
    )
    qd = {"QueueName": q_name}
    m.add("AWS/SQS", "NumberOfMessagesSent", qd, "Count", lambda t: inv[t] * 0.98, integer=True)
    m.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        lambda t: rng.randrange(3) + 60 * impact(t),
        integer=True,
    )
    m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        lambda t: rng.randrange(1, 4) + 160 * min(1.0, impact(t) * 2),
        integer=True,
    )
    m.add("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq_name}, "Count", lambda t: 0.0)

    # ---- alarms -----------------------------------------------------------------------------------
    alarms, history = [], []
    a5 = k.AlarmSpec(
        "classbook-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        albtg,
        "Sum",
        60,
        3,
        3,
        25.0,
        "GreaterThanThreshold",
        description="classbook-api targets returning 5xx (pages on-call)",
        treat_missing="notBreaching",
        actions=[topic],
        created=start - timedelta(days=190),
    )
    a5_alarm, a5_hist, a5_event = k.evaluate(a5, k.aggregate(five, 1, "Sum"), region, acct, now, rng)
    alarms.append(a5_alarm)
    history += a5_hist
    p99 = {t: v[1] for t, v in trt.items()}
    alat = k.AlarmSpec(
        "classbook-api-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        albtg,
        "p99",
        300,
        2,
        2,
        3.0,
        "GreaterThanThreshold",
        description="p99 response time over 3s for 10 minutes",
        actions=[topic],
        created=start - timedelta(days=150),
    )
    lat_points = k.aggregate(p99, 5, "Maximum")
    al, ah, _ = k.evaluate(alat, lat_points, region, acct, now, rng)
    alarms.append(al)
    history += ah
    cpu_series = m.series[("AWS/RDS", "CPUUtilization", json.dumps(w, sort_keys=True))]
    for spec, pts in [
        (
            k.AlarmSpec(
                "classbook-aurora-writer-cpu-high",
                "AWS/RDS",
                "CPUUtilization",
                w,
                "Average",
                300,
                3,
                3,
                80.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=start - timedelta(days=300),
            ),
            k.aggregate(cpu_series, 5, "Average"),
        ),
        (
            k.AlarmSpec(
                "classbook-waitlist-dlq-not-empty",
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": dlq_name},
                "Maximum",
                300,
                1,
                1,
                0.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=start - timedelta(days=220),
            ),
            {t: 0.0 for t in k.aggregate(inv, 5, "Sum")},
        ),
        (
            k.AlarmSpec(
                "classbook-api-unhealthy-targets",
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                albtg,
                "Maximum",
                60,
                3,
                3,
                0.0,
                "GreaterThanThreshold",
                actions=[topic],
                created=start - timedelta(days=190),
            ),
            {t: 0.0 for t in k.aggregate(inv, 1, "Sum")},
        ),
    ]:
        al, ah, _ = k.evaluate(spec, pts, region, acct, now, rng)
        alarms.append(al)
        history += ah

    # ---- CloudTrail -------------------------------------------------------------------------------
    ops = k.sso_user(
        rng,
        acct,
        region,
        "PlatformOps",
        k.pick(rng, ["priya.raman", "tom.okafor", "lena.vogt"]) + "@pulsegyms.co.uk",
    )
    dev = k.sso_user(
        rng,
        acct,
        region,
        "DeveloperPowerUser",
        k.pick(rng, ["sam.ellis", "ana.costa", "joe.hart"]) + "@pulsegyms.co.uk",
    )
    ro = k.sso_user(
        rng, acct, region, "ReadOnly", k.pick(rng, ["kate.moss", "raj.patel"]) + "@pulsegyms.co.uk"
    )
    ci = k.role_session(
        rng,
        acct,
        "gha-classbook-deploy",
        "GitHubActions",
        "aws-cli/2.15.38 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1018-azure md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.update-service",
    )
    mon = k.role_session(
        rng, acct, "grafana-cloudwatch-reader", "grafana", "aws-sdk-go/1.51.6 (go1.22.1; linux; amd64)"
    )
    trail: list[k.Json] = []
    reads: list[tuple[str, str, k.Json | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "classbook-"}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["classbook-api"]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": "classbook-api"}),
        ("rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": dbc}),
        ("rds.amazonaws.com", "DescribeDBInstances", None),
        ("lambda.amazonaws.com", "GetFunction", {"functionName": fn}),
        ("logs.amazonaws.com", "DescribeLogGroups", {"logGroupNamePrefix": "/ecs/classbook"}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{q_name}", "attributeNames": ["All"]},
        ),
    ]
    trail += k.routine_reads(rng, [ro, dev, ops, mon], reads, region, start, now, 26)
    # the proxy edit, with the console reads around it
    for off, name, params in [
        (-240, "DescribeDBProxies", {"dBProxyName": proxy}),
        (-200, "DescribeDBProxyTargetGroups", {"dBProxyName": proxy}),
        (-150, "DescribeDBProxyTargets", {"dBProxyName": proxy, "targetGroupName": "default"}),
    ]:
        trail.append(
            k.ct(
                rng,
                ops,
                change_at + timedelta(seconds=off),
                "rds.amazonaws.com",
                name,
                region,
                params,
                None,
                read_only=True,
            )
        )
    new_cfg = {
        "maxConnectionsPercent": pct_after,
        "maxIdleConnectionsPercent": 10,
        "connectionBorrowTimeout": 120,
        "sessionPinningFilters": [],
    }
    culprit = k.ct(
        rng,
        ops,
        change_at,
        "rds.amazonaws.com",
        "ModifyDBProxyTargetGroup",
        region,
        {
            "targetGroupName": "default",
            "dBProxyName": proxy,
            "connectionPoolConfig": {"maxConnectionsPercent": pct_after, "maxIdleConnectionsPercent": 10},
        },
        {
            "dBProxyTargetGroup": {
                "dBProxyName": proxy,
                "targetGroupName": "default",
                "targetGroupArn": ptg_arn,
                "isDefault": True,
                "status": "available",
                "connectionPoolConfig": new_cfg,
                "createdDate": "Mar 3, 2023, 10:14:51 AM",
                "updatedDate": change_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
            }
        },
    )
    trail.append(culprit)
    trail.append(
        k.ct(
            rng,
            ops,
            change_at + timedelta(seconds=35),
            "rds.amazonaws.com",
            "DescribeDBProxyTargetGroups",
            region,
            {"dBProxyName": proxy},
            None,
            read_only=True,
        )
    )
    # an earlier unrelated write by the same engineer
    trail.append(
        k.ct(
            rng,
            ops,
            change_at - timedelta(minutes=41),
            "logs.amazonaws.com",
            "PutRetentionPolicy",
            region,
            {"logGroupName": f"/aws/rds/proxy/{proxy}", "retentionInDays": 30},
        )
    )
    # CI deploy of classbook-api shortly before the onset
    td_body = {"family": "classbook-api", "revision": td_new}
    trail.append(
        k.ct(
            rng,
            ci,
            deploy_at - timedelta(seconds=14),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            region,
            {
                "family": "classbook-api",
                "taskRoleArn": f"arn:aws:iam::{acct}:role/classbook-api-task",
                "executionRoleArn": f"arn:aws:iam::{acct}:role/classbook-api-exec",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "containerDefinitions": [
                    {
                        "name": "classbook-api",
                        "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/classbook-api:2024.{td_new}.0-{k.hexs(rng, 7)}",
                        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                        "essential": True,
                    }
                ],
            },
            {"taskDefinition": {"taskDefinitionArn": f"{td_arn}:{td_new}", **td_body, "status": "ACTIVE"}},
            agent=ci.agent.replace("ecs.update-service", "ecs.register-task-definition"),
        )
    )
    deployment_id = "ecs-svc/" + "".join(str(rng.randrange(10)) for _ in range(19))
    trail.append(
        k.ct(
            rng,
            ci,
            deploy_at,
            "ecs.amazonaws.com",
            "UpdateService",
            region,
            {
                "cluster": cluster,
                "service": "classbook-api",
                "taskDefinition": f"classbook-api:{td_new}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceArn": svc_arn,
                    "serviceName": "classbook-api",
                    "taskDefinition": f"{td_arn}:{td_new}",
                    "desiredCount": 8,
                }
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            ci,
            deploy_at + timedelta(minutes=3),
            "ecs.amazonaws.com",
            "DescribeServices",
            region,
            {"cluster": cluster, "services": ["classbook-api"]},
            None,
            read_only=True,
        )
    )
    trail.append(
        k.ct(
            rng,
            ci,
            deploy_done + timedelta(seconds=20),
            "ecs.amazonaws.com",
            "DescribeServices",
            region,
            {"cluster": cluster, "services": ["classbook-api"]},
            None,
            read_only=True,
        )
    )
    # a developer edits another function's settings close to the onset
    trail.append(
        k.ct(
            rng,
            dev,
            onset - timedelta(minutes=rng.randrange(5, 12)),
            "lambda.amazonaws.com",
            "UpdateFunctionConfiguration20150331v2",
            region,
            {"functionName": "classbook-reminder-sender", "timeout": 30, "environment": {}},
            {
                "functionName": "classbook-reminder-sender",
                "functionArn": f"arn:aws:lambda:{region}:{acct}:function:classbook-reminder-sender",
                "runtime": "nodejs20.x",
                "timeout": 30,
                "memorySize": 256,
                "lastUpdateStatus": "InProgress",
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            dev,
            onset + timedelta(minutes=rng.randrange(2, 6)),
            "ssm.amazonaws.com",
            "PutParameter",
            region,
            {
                "name": "/classbook/prod/feature/class-waitlist-autopromote-sms",
                "type": "String",
                "overwrite": True,
            },
            {"version": rng.randrange(3, 12), "tier": "Standard"},
        )
    )
    # the ECS service scaling target is touched by no one; application auto scaling only reads
    for i in range(4):
        trail.append(
            k.ct(
                rng,
                mon,
                start + timedelta(minutes=60 * i + rng.randrange(50)),
                "monitoring.amazonaws.com",
                "GetMetricData",
                region,
                None,
                None,
                read_only=True,
            )
        )
    trail = k.sort_trail(trail)

    # ---- logs -------------------------------------------------------------------------------------
    logs: list[k.Json] = []
    group = "/ecs/classbook-api"
    classes = ["spin-45", "hiit-30", "yoga-flow-60", "bodypump-45", "pilates-50", "boxfit-45"]
    for t in mins:
        if rng.random() > 0.55:
            continue
        new = t >= deploy_done - timedelta(minutes=3)
        idx = rng.randrange(8)
        task = tasks_new[idx] if new else tasks_old[idx]
        stream = f"ecs/classbook-api/{task}"
        ts = t + timedelta(seconds=rng.randrange(60), milliseconds=rng.randrange(1000))
        thread = f"http-nio-8080-exec-{rng.randrange(1, 200)}"
        imp = impact(t)
        if imp > 0 and rng.random() < min(0.9, 0.3 + 2 * imp):
            waiting = rng.randrange(20, 140)
            logs.append(
                k.log(
                    group,
                    stream,
                    ts,
                    f"{k.iso_ms(ts)[:23]}Z  WARN 1 --- [classbook-api] [{thread}] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Connection is not available, request timed out after 30000ms (total=40, active=40, idle=0, waiting={waiting})",
                )
            )
            logs.append(
                k.log(
                    group,
                    stream,
                    ts + timedelta(milliseconds=3),
                    f"{k.iso_ms(ts)[:23]}Z ERROR 1 --- [classbook-api] [{thread}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: org.springframework.transaction.CannotCreateTransactionException: Could not open JPA EntityManager for transaction] with root cause\n\n"
                    "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=40, active=40, idle=0, waiting="
                    f"{waiting})\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)\n\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)\n\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)\n\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)\n\tat org.hibernate.internal.NonContextualJdbcConnectionAccess.obtainConnection(NonContextualJdbcConnectionAccess.java:46)\n\tat org.springframework.orm.jpa.JpaTransactionManager.doBegin(JpaTransactionManager.java:466)\n\t... 58 common frames omitted",
                )
            )
            continue
        path, status, took = k.pick(
            rng,
            [
                ("POST /v1/bookings", 201, 48),
                ("GET /v1/classes", 200, 22),
                ("GET /v1/members/me/bookings", 200, 31),
                ("DELETE /v1/bookings", 204, 37),
                ("GET /v1/clubs/{clubId}/timetable", 200, 26),
            ],
        )
        took_ms = int(took * (1 + 50 * imp) * (0.6 + 0.8 * rng.random()))
        logs.append(
            k.log(
                group,
                stream,
                ts,
                f"{k.iso_ms(ts)[:23]}Z  INFO 1 --- [classbook-api] [{thread}] c.p.classbook.web.RequestLogFilter       : {path} class={k.pick(rng, classes)} status={status} took={took_ms}ms",
            )
        )
        if rng.random() < 0.01:
            logs.append(
                k.log(
                    group,
                    stream,
                    ts + timedelta(milliseconds=40),
                    f"{k.iso_ms(ts)[:23]}Z  WARN 1 --- [classbook-api] [{thread}] c.p.classbook.partner.MindbodySync       : timetable sync for club {rng.randrange(100, 180)} skipped: upstream returned 429, retry in 300s",
                )
            )
    # startup lines of the new tasks
    for tid in tasks_new:
        ts = deploy_at + timedelta(seconds=70 + rng.randrange(40))
        stream = f"ecs/classbook-api/{tid}"
        for j, msg in enumerate(
            [
                f"Starting ClassbookApplication v2024.{td_new}.0 using Java 21.0.3 with PID 1",
                "Tomcat initialized with port 8080 (http)",
                "HikariPool-1 - Starting...",
                "HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@" + k.hexs(rng, 8),
                "HikariPool-1 - Start completed.",
                f"Started ClassbookApplication in {rng.uniform(11, 16):.3f} seconds (process running for {rng.uniform(12, 17):.3f})",
            ]
        ):
            logs.append(
                k.log(
                    group,
                    stream,
                    ts + timedelta(seconds=j * 2),
                    f"{k.iso_ms(ts)[:23]}Z  INFO 1 --- [classbook-api] [           main] c.p.classbook.ClassbookApplication       : {msg}",
                )
            )
    # RDS Proxy log: pinning notices, same before and during
    pg = f"/aws/rds/proxy/{proxy}"
    for t in mins[:: rng.randrange(9, 14)]:
        ts = t + timedelta(seconds=rng.randrange(60))
        logs.append(
            k.log(
                pg,
                f"{proxy}-{k.hexs(rng, 2)}",
                ts,
                f"{k.iso_ms(ts)[:23]}Z [WARN] [proxyEndpoint=default] [clientConnection={rng.randrange(10**9, 4 * 10**9)}] The client session was pinned to the database connection [dbConnection={rng.randrange(10**9, 4 * 10**9)}] for the remainder of the session. The proxy can't reuse this connection until the session ends. Reason: A parse message was detected.",
            )
        )
    # waitlist promoter
    lg = f"/aws/lambda/{fn}"
    stream = k.lambda_stream(rng, start)
    for t in mins:
        if inv[t] < 1 or rng.random() > 0.25:
            continue
        ts = t + timedelta(seconds=rng.randrange(55))
        req = k.uuid(rng)
        failed = rng.random() < (ferr[t] / inv[t] if inv[t] else 0)
        dur = 15000.0 if failed else rng.uniform(60, 180) * (1 + 5 * impact(t))
        s_, e_, rep = k.lambda_report(rng, req, dur, 512, rng.randrange(98, 120))
        logs.append(k.log(lg, stream, ts, s_))
        if failed:
            logs.append(
                k.log(
                    lg,
                    stream,
                    ts + timedelta(milliseconds=15000),
                    f"{k.iso_ms(ts + timedelta(milliseconds=15000))[:23]}Z {req} Task timed out after 15.02 seconds",
                )
            )
        else:
            logs.append(
                k.log(
                    lg,
                    stream,
                    ts + timedelta(milliseconds=dur * 0.8),
                    f"{k.iso_ms(ts)[:23]}Z\t{req}\tINFO\t"
                    + json.dumps(
                        {
                            "level": "info",
                            "msg": "waitlist promoted",
                            "classId": f"{k.pick(rng, classes)}-{rng.randrange(1000, 9999)}",
                            "promoted": rng.randrange(0, 3),
                        }
                    ),
                )
            )
        logs.append(k.log(lg, stream, ts + timedelta(milliseconds=dur + 2), e_))
        logs.append(k.log(lg, stream, ts + timedelta(milliseconds=dur + 3), rep))
    logs = k.sort_logs(logs)

    # ---- resources --------------------------------------------------------------------------------
    created = start - timedelta(days=400)
    resources = [
        k.res(
            "elbv2",
            "LoadBalancer",
            {
                "LoadBalancerArn": lb_arn,
                "DNSName": f"classbook-prod-alb-{rng.randrange(10**9)}.{region}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": "classbook-prod-alb",
                "Scheme": "internet-facing",
                "VpcId": vpc,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [
                    {"ZoneName": f"{region}{z}", "SubnetId": s} for z, s in zip("abc", subnets, strict=True)
                ],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        ),
        k.res(
            "elbv2",
            "TargetGroup",
            {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "classbook-api-tg",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/actuator/health/liveness",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [lb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        ),
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 11,
                "pendingTasksCount": 0,
                "activeServicesCount": 3,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "settings": [{"name": "containerInsights", "value": "disabled"}],
            },
        ),
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": "classbook-api",
                "clusterArn": cluster_arn,
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": "classbook-api", "containerPort": 8080}
                ],
                "status": "ACTIVE",
                "desiredCount": 8,
                "runningCount": 8,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "taskDefinition": f"{td_arn}:{td_new}",
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": deployment_id,
                        "status": "PRIMARY",
                        "taskDefinition": f"{td_arn}:{td_new}",
                        "desiredCount": 8,
                        "pendingCount": 0,
                        "runningCount": 8,
                        "failedTasks": 0,
                        "createdAt": k.iso(deploy_at),
                        "updatedAt": k.iso(deploy_done),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "platformFamily": "Linux",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": f"ECS deployment {deployment_id} completed.",
                    }
                ],
                "createdAt": k.iso(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_app],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
                "enableExecuteCommand": False,
            },
        ),
    ]
    for rev, when in [
        (td_old, start - timedelta(days=2, hours=3)),
        (td_new, deploy_at - timedelta(seconds=14)),
    ]:
        resources.append(
            k.res(
                "ecs",
                "TaskDefinition",
                {
                    "taskDefinitionArn": f"{td_arn}:{rev}",
                    "family": "classbook-api",
                    "revision": rev,
                    "taskRoleArn": f"arn:aws:iam::{acct}:role/classbook-api-task",
                    "executionRoleArn": f"arn:aws:iam::{acct}:role/classbook-api-exec",
                    "networkMode": "awsvpc",
                    "status": "ACTIVE",
                    "requiresCompatibilities": ["FARGATE"],
                    "cpu": "1024",
                    "memory": "2048",
                    "registeredAt": k.iso(when),
                    "containerDefinitions": [
                        {
                            "name": "classbook-api",
                            "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/classbook-api:2024.{rev}.0",
                            "essential": True,
                            "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                            "environment": [
                                {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                                {
                                    "name": "DB_HOST",
                                    "value": f"{proxy}.proxy-{dns_id}.{region}.rds.amazonaws.com",
                                },
                                {"name": "DB_POOL_MAX", "value": "40"},
                                {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"},
                            ],
                            "logConfiguration": {
                                "logDriver": "awslogs",
                                "options": {
                                    "awslogs-group": group,
                                    "awslogs-region": region,
                                    "awslogs-stream-prefix": "ecs",
                                },
                            },
                        }
                    ],
                },
            )
        )
    resources += [
        k.res(
            "rds",
            "DBProxy",
            {
                "DBProxyName": proxy,
                "DBProxyArn": proxy_arn,
                "Status": "available",
                "EngineFamily": "POSTGRESQL",
                "VpcId": vpc,
                "VpcSecurityGroupIds": [sg_proxy],
                "VpcSubnetIds": subnets,
                "Auth": [
                    {
                        "AuthScheme": "SECRETS",
                        "SecretArn": f"arn:aws:secretsmanager:{region}:{acct}:secret:classbook/prod/db-app-{k.alnum(rng, 6, upper=False)}",
                        "IAMAuth": "DISABLED",
                        "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256",
                    }
                ],
                "RoleArn": f"arn:aws:iam::{acct}:role/classbook-proxy-secrets",
                "Endpoint": f"{proxy}.proxy-{dns_id}.{region}.rds.amazonaws.com",
                "RequireTLS": True,
                "IdleClientTimeout": 1800,
                "DebugLogging": False,
                "CreatedDate": "2023-03-03T10:14:51Z",
                "UpdatedDate": k.iso(start - timedelta(days=40)),
            },
        ),
        k.res(
            "rds",
            "DBProxyTargetGroup",
            {
                "DBProxyName": proxy,
                "TargetGroupName": "default",
                "TargetGroupArn": ptg_arn,
                "IsDefault": True,
                "Status": "available",
                "ConnectionPoolConfig": {
                    "MaxConnectionsPercent": pct_after,
                    "MaxIdleConnectionsPercent": 10,
                    "ConnectionBorrowTimeout": 120,
                    "SessionPinningFilters": [],
                },
                "CreatedDate": "2023-03-03T10:14:51Z",
                "UpdatedDate": k.iso(change_at),
            },
        ),
        k.res(
            "rds",
            "DBProxyTarget",
            {
                "TargetArn": f"arn:aws:rds:{region}:{acct}:cluster:{dbc}",
                "TrackedClusterId": dbc,
                "RdsResourceId": cl_res,
                "Type": "TRACKED_CLUSTER",
            },
        ),
        k.res(
            "rds",
            "DBProxyTarget",
            {
                "TargetArn": f"arn:aws:rds:{region}:{acct}:db:{writer}",
                "Endpoint": f"{writer}.{dns_id}.{region}.rds.amazonaws.com",
                "TrackedClusterId": dbc,
                "RdsResourceId": "db-" + k.alnum(rng, 26),
                "Port": 5432,
                "Type": "RDS_INSTANCE",
                "Role": "READ_WRITE",
                "TargetHealth": {"State": "AVAILABLE"},
            },
        ),
        k.res(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": dbc,
                "DBClusterArn": f"arn:aws:rds:{region}:{acct}:cluster:{dbc}",
                "Status": "available",
                "Engine": "aurora-postgresql",
                "EngineVersion": "15.6",
                "Endpoint": f"{dbc}.cluster-{dns_id}.{region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{dbc}.cluster-ro-{dns_id}.{region}.rds.amazonaws.com",
                "Port": 5432,
                "MultiAZ": True,
                "DbClusterResourceId": cl_res,
                "DBClusterParameterGroup": "classbook-aurora-pg15-cluster",
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": writer,
                        "IsClusterWriter": True,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": reader,
                        "IsClusterWriter": False,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "StorageEncrypted": True,
                "ClusterCreateTime": k.iso(created),
                "AvailabilityZones": [f"{region}a", f"{region}b", f"{region}c"],
            },
        ),
    ]
    for ident, az in [(writer, "a"), (reader, "b")]:
        resources.append(
            k.res(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": ident,
                    "DBInstanceClass": "db.r6g.xlarge",
                    "Engine": "aurora-postgresql",
                    "DBInstanceStatus": "available",
                    "Endpoint": {"Address": f"{ident}.{dns_id}.{region}.rds.amazonaws.com", "Port": 5432},
                    "InstanceCreateTime": k.iso(created),
                    "AvailabilityZone": f"{region}{az}",
                    "DBClusterIdentifier": dbc,
                    "EngineVersion": "15.6",
                    "DBParameterGroups": [
                        {
                            "DBParameterGroupName": "classbook-aurora-pg15-instance",
                            "ParameterApplyStatus": "in-sync",
                        }
                    ],
                    "PerformanceInsightsEnabled": True,
                    "DbiResourceId": "db-" + k.alnum(rng, 26),
                    "DBInstanceArn": f"arn:aws:rds:{region}:{acct}:db:{ident}",
                },
            )
        )
    resources += [
        k.res(
            "rds",
            "DBParameter",
            {
                "DBParameterGroupName": "classbook-aurora-pg15-instance",
                "ParameterName": "max_connections",
                "ParameterValue": str(max_conn),
                "Description": "Sets the maximum number of concurrent connections.",
                "Source": "user",
                "ApplyType": "static",
                "DataType": "integer",
                "AllowedValues": "6-262143",
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot",
            },
        ),
        k.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fn,
                "FunctionArn": fn_arn,
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{fn}-role",
                "Handler": "dist/handler.main",
                "CodeSize": 1843210,
                "Timeout": 15,
                "MemorySize": 512,
                "LastModified": (start - timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "Version": "$LATEST",
                "VpcConfig": {"SubnetIds": subnets, "SecurityGroupIds": [sg_app], "VpcId": vpc},
                "Environment": {
                    "Variables": {
                        "PGHOST": f"{proxy}.proxy-{dns_id}.{region}.rds.amazonaws.com",
                        "PGDATABASE": "classbook",
                    }
                },
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
            },
        ),
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": k.uuid(rng),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": q_arn,
                "FunctionArn": fn_arn,
                "LastModified": k.iso(start - timedelta(days=60)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 20},
            },
        ),
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{q_name}",
                "Attributes": {
                    "QueueArn": q_arn,
                    "VisibilityTimeout": "90",
                    "MessageRetentionPeriod": "345600",
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "classbook", "env": "prod"},
            },
        ),
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{acct}/{dlq_name}",
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "MessageRetentionPeriod": "1209600",
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "classbook", "env": "prod"},
            },
        ),
        k.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/classbook-api",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 8,
                "MaxCapacity": 20,
                "RoleARN": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": k.iso(created),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        ),
        k.res(
            "application-autoscaling",
            "ScalingPolicy",
            {
                "PolicyARN": f"arn:aws:autoscaling:{region}:{acct}:scalingPolicy:{k.uuid(rng)}:resource/ecs/service/{cluster}/classbook-api:policyName/classbook-api-cpu60",
                "PolicyName": "classbook-api-cpu60",
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{cluster}/classbook-api",
                "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 60.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                    },
                    "ScaleOutCooldown": 60,
                    "ScaleInCooldown": 300,
                },
                "Alarms": [],
                "CreationTime": k.iso(created),
            },
        ),
    ]

    # ---- events -----------------------------------------------------------------------------------
    events: list[k.Json] = []

    def ecs_ev(t: datetime, msg: str) -> None:
        events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": k.uuid(rng), "createdAt": k.iso(t), "message": msg},
                },
            }
        )

    for h in range(0, int((deploy_at - start).total_seconds() // 3600), 6):
        ecs_ev(
            start + timedelta(hours=h, minutes=rng.randrange(60)),
            "(service classbook-api) has reached a steady state.",
        )
    ecs_ev(
        deploy_at + timedelta(seconds=20),
        f"(service classbook-api) has started 8 tasks: {' '.join(f'(task {x})' for x in tasks_new)}.",
    )
    ecs_ev(
        deploy_at + timedelta(seconds=95),
        f"(service classbook-api) registered 8 targets in (target-group {tg_arn})",
    )
    ecs_ev(
        deploy_at + timedelta(seconds=130),
        "(service classbook-api) has begun draining connections on 8 tasks.",
    )
    ecs_ev(
        deploy_at + timedelta(seconds=131),
        f"(service classbook-api) deregistered 8 targets in (target-group {tg_arn})",
    )
    ecs_ev(
        deploy_done - timedelta(seconds=30),
        f"(service classbook-api) has stopped 8 running tasks: {' '.join(f'(task {x})' for x in tasks_old)}.",
    )
    ecs_ev(deploy_done, f"(service classbook-api) (deployment {deployment_id}) deployment completed.")
    ecs_ev(deploy_done + timedelta(seconds=2), "(service classbook-api) has reached a steady state.")
    for ip in ips_old:
        for t, state, reason in [
            (start, "healthy", None),
            (deploy_at + timedelta(seconds=131), "draining", "Target.DeregistrationInProgress"),
        ]:
            th: k.Json = {"State": state}
            if reason:
                th["Reason"] = reason
                th["Description"] = "Target deregistration is in progress"
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": {"Id": ip, "Port": 8080, "AvailabilityZone": f"{region}a"},
                        "health": th,
                        "timestamp": k.iso(t),
                    },
                }
            )
    for ip in ips_new:
        for t, th in [
            (
                deploy_at + timedelta(seconds=95),
                {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
            ),
            (deploy_at + timedelta(seconds=125), {"State": "healthy"}),
        ]:
            events.append(
                {
                    "source": "target_health",
                    "item": {
                        "target_group_arn": tg_arn,
                        "target": {"Id": ip, "Port": 8080, "AvailabilityZone": f"{region}b"},
                        "health": th,
                        "timestamp": k.iso(t),
                    },
                }
            )
    # old targets leave the group when draining ends: a final unused state
    for ip in ips_old:
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": {"Id": ip, "Port": 8080, "AvailabilityZone": f"{region}a"},
                    "health": {
                        "State": "unused",
                        "Reason": "Target.NotRegistered",
                        "Description": "Target is not registered to the target group",
                    },
                    "timestamp": k.iso(deploy_done - timedelta(seconds=30)),
                },
            }
        )
    events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": writer,
                "SourceType": "db-instance",
                "Message": "Performance Insights has been enabled",
                "EventCategories": ["configuration change"],
                "Date": k.iso(start - timedelta(days=3)),
                "SourceArn": f"arn:aws:rds:{region}:{acct}:db:{writer}",
            },
        }
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": "classbook-api 5xx alarm fired and members say bookings spin for ages then fail. What's broken?",
                "alarm_event": a5_event,
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": proxy,
                    "category": "change",
                    "failure_mode": "proxy-connection-pool-cap-lowered",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [proxy_arn, ptg_arn, f"{proxy}/default"],
                "actions": ["rollback"],
                "chain": [
                    f"ModifyDBProxyTargetGroup set MaxConnectionsPercent {pct_before}->{pct_after} on {proxy} (cap {cap} connections)",
                    "the lunchtime peak needs more pinned database connections than the cap; borrows queue in the proxy",
                    "classbook-api Hikari pools exhaust waiting on the proxy; classbook-waitlist-promoter times out",
                    "classbook-api-tg returns 5xx and slow responses; classbook-api-target-5xx alarm",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )
