"""Password-reset and verification emails stop going out after the afternoon accounts-api deploy."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_z import (
    BOTO_UA,
    CLI_UA,
    CONSOLE_UA,
    TF_UA,
    AlarmSpec,
    Json,
    Kit,
    ci_ip,
    diurnal,
    evaluate_alarm,
    iso,
    office_ip,
    spread,
)

NAME = "notify-queue-param-repointed"
TITLE = "Customers not receiving password-reset and verification emails since mid-afternoon"
SUMMARY = (
    "An SSM parameter read at task start was repointed in the morning to a new queue nobody consumes; "
    "the afternoon accounts-api deploy picked it up and notification messages stopped reaching the sender."
)

REGION = "eu-west-2"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 8)}{rng.randint(10**10, 10**11 - 1)}"
    day = datetime(2024, 6, 3, tzinfo=UTC) + timedelta(days=rng.randint(0, 70))
    # local time is BST (UTC+1)
    onset = day + timedelta(hours=13, minutes=rng.randint(25, 55))  # deploy tasks start serving
    deploy = onset - timedelta(minutes=rng.randint(4, 7))
    param_change = day + timedelta(hours=8, minutes=rng.randint(20, 55), seconds=rng.randint(0, 59))
    start = day + timedelta(hours=5)
    now = onset + timedelta(minutes=rng.randint(50, 70))
    kit = Kit(NAME, seed, REGION, account, start, now, now + timedelta(minutes=1))
    kit.rng = rng

    vpc = kit.eid("vpc")
    subnets = [kit.eid("subnet") for _ in range(3)]
    sg_app = kit.eid("sg")
    cluster = "lettable-prod"
    cluster_arn = kit.arn("ecs", f"cluster/{cluster}")
    q_base = f"https://sqs.{REGION}.amazonaws.com/{account}"
    q_old, q_new, q_dlq = "notify-outbound", "notify-outbound-v2", "notify-outbound-dlq"
    param = "/accounts/prod/notify/queue-url"
    param_arn = kit.arn("ssm", f"parameter{param}")
    alb_name = "accounts-prod"
    alb_dim = f"app/{alb_name}/{kit.hex(16)}"
    tg_name = "accounts-api-prod"
    tg_dim = f"targetgroup/{tg_name}/{kit.hex(16)}"
    tg_arn = kit.arn("elasticloadbalancing", tg_dim)
    alb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/{alb_dim}")
    exec_role = "lettable-ecs-task-execution"
    exec_role_arn = f"arn:aws:iam::{account}:role/{exec_role}"
    acc_task_role_arn = f"arn:aws:iam::{account}:role/accounts-api-task"
    notify_task_role_arn = f"arn:aws:iam::{account}:role/notify-dispatch-task"
    td_old_rev = rng.randint(70, 95)
    td_new_rev = td_old_rev + 1
    notify_rev = rng.randint(30, 50)
    sns_ops = kit.arn("sns", "lettable-ops-alerts")
    v2_created = param_change - timedelta(minutes=rng.randint(6, 14), seconds=rng.randint(0, 59))

    # --- people and machines -------------------------------------------------------------------------
    priya = kit.sso("priya.natarajan", "PlatformEngineer")
    tom = kit.sso("tom.whitfield", "Developer")
    aisha = kit.sso("aisha.karimi", "ReadOnly")
    ci_acc = kit.role("gha-deploy-accounts-api", "GitHubActions")
    ci_list = kit.role("gha-deploy-listings-api", "GitHubActions")
    dd = kit.role("DatadogIntegrationRole", "datadog-aws-integration")
    ip_priya, ip_tom, ip_aisha = office_ip(rng), office_ip(rng), office_ip(rng)

    # --- traffic model -------------------------------------------------------------------------------
    def rps(t: datetime) -> float:
        return diurnal(t, 1.0, 4.0, 21.0, peak_hour=13.0)

    def notify_rate(t: datetime) -> float:  # notification messages per minute
        return diurnal(t, 1.0, 3.0, 26.0, peak_hour=13.5)

    fine_from = onset - timedelta(minutes=90)
    backlog = 0.0
    age = 0.0
    for t, step in kit.times(fine_from):
        mins = step / 60
        n = kit.noise(notify_rate(t) * mins, 0.15)
        sent = round(n)
        after = t >= onset
        # the old queue: its only producer is accounts-api
        old_sent = 0 if after else sent
        if t >= deploy and not after:
            old_sent = round(sent * (onset - t).total_seconds() / 400)
        dq = {"QueueName": q_old}
        kit.put("AWS/SQS", "NumberOfMessagesSent", dq, t, old_sent)
        kit.put("AWS/SQS", "NumberOfMessagesReceived", dq, t, old_sent + (1 if rng.random() < 0.04 else 0))
        kit.put("AWS/SQS", "NumberOfMessagesDeleted", dq, t, old_sent)
        kit.put(
            "AWS/SQS",
            "NumberOfEmptyReceives",
            dq,
            t,
            round(kit.noise(40 * mins if not after else 58 * mins, 0.05)),
        )
        kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dq, t, 0 if rng.random() < 0.85 else 1)
        kit.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dq, t, 0 if after else rng.randint(0, 3))
        kit.put(
            "AWS/SQS", "ApproximateAgeOfOldestMessage", dq, t, 0 if after else rng.randint(0, 2), "Seconds"
        )
        kit.put("AWS/SQS", "SentMessageSize", dq, t, 0 if old_sent == 0 else kit.noise(1180, 0.05), "Bytes")
        # the new queue exists from v2_created on, receives nothing until the new tasks start
        if t >= v2_created:
            dn = {"QueueName": q_new}
            new_sent = sent if after else 0
            backlog += new_sent
            age = age + step if backlog > 0 else 0.0
            kit.put("AWS/SQS", "NumberOfMessagesSent", dn, t, new_sent)
            kit.put("AWS/SQS", "NumberOfMessagesReceived", dn, t, 0)
            kit.put("AWS/SQS", "NumberOfMessagesDeleted", dn, t, 0)
            kit.put("AWS/SQS", "NumberOfEmptyReceives", dn, t, 0)
            kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dn, t, backlog)
            kit.put("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dn, t, 0)
            kit.put("AWS/SQS", "ApproximateAgeOfOldestMessage", dn, t, age, "Seconds")
        dd_ = {"QueueName": q_dlq}
        kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd_, t, 2)
        kit.put("AWS/SQS", "NumberOfMessagesSent", dd_, t, 0)
        kit.put(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            dd_,
            t,
            (t - start).total_seconds() + 86400 * 3,
            "Seconds",
        )
        # SES account-level sending: notify-dispatch plus a small marketing digest sender
        digest = kit.noise(1.2 * mins, 0.5)
        ses = old_sent + digest
        kit.put("AWS/SES", "Send", {}, t, round(ses))
        kit.put("AWS/SES", "Delivery", {}, t, round(ses * 0.985))
        bounce = kit.poisson(ses * 0.008)
        if bounce:
            kit.put("AWS/SES", "Bounce", {}, t, bounce)
        # ALB / ECS for accounts-api
        req = kit.noise(rps(t) * step, 0.06)
        kit.put("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": alb_dim}, t, round(req))
        kit.put(
            "AWS/ApplicationELB",
            "RequestCount",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
            t,
            round(req),
        )
        kit.put(
            "AWS/ApplicationELB",
            "HTTPCode_Target_2XX_Count",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
            t,
            round(req * 0.93),
        )
        kit.put(
            "AWS/ApplicationELB",
            "HTTPCode_Target_4XX_Count",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
            t,
            round(req * 0.065),
        )
        e5 = kit.poisson(req * 0.0004)
        if e5:
            kit.put(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
                t,
                e5,
            )
        lat = [max(0.004, rng.lognormvariate(-3.3, 0.55)) for _ in range(12)]
        kit.put_dist(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
            t,
            lat,
        )
        healthy = 3 if not (deploy <= t < onset) else 6
        kit.put(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
            t,
            healthy,
        )
        for svc, cpu, mem in (
            ("accounts-api", 18 + rps(t) * 1.1, 41),
            ("notify-dispatch", 6 + notify_rate(t) * 0.3, 33),
        ):
            if svc == "notify-dispatch" and after:
                cpu = 4.0
            dims = {"ClusterName": cluster, "ServiceName": svc}
            kit.put("AWS/ECS", "CPUUtilization", dims, t, kit.noise(cpu, 0.07), "Percent")
            kit.put("AWS/ECS", "MemoryUtilization", dims, t, kit.noise(mem, 0.02), "Percent")

    # --- logs ----------------------------------------------------------------------------------------
    acc_group, notify_group = "/ecs/accounts-api", "/ecs/notify-dispatch"
    old_tasks = [kit.hex(32) for _ in range(3)]
    new_tasks = [kit.hex(32) for _ in range(3)]
    n_tasks = [kit.hex(32) for _ in range(2)]
    ips_old = [f"10.40.{rng.randint(16, 47)}.{rng.randint(10, 250)}" for _ in range(3)]
    ips_new = [f"10.40.{rng.randint(16, 47)}.{rng.randint(10, 250)}" for _ in range(3)]

    def pino(t: datetime, host: str, level: int, msg: str, **extra: object) -> str:
        body: Json = {"level": level, "time": int(t.timestamp() * 1000), "pid": 1, "hostname": host}
        body.update(extra)
        body["msg"] = msg
        return json.dumps(body, separators=(",", ":"))

    templates = ["password-reset", "email-verification", "login-new-device", "email-change-confirm"]
    routes = [
        ("POST", "/v1/password-resets", 202),
        ("POST", "/v1/signups", 201),
        ("POST", "/v1/sessions", 200),
        ("GET", "/v1/me", 200),
        ("POST", "/v1/email-verifications/resend", 202),
        ("GET", "/v1/me/devices", 200),
    ]

    def acc_logs(task: str, ip: str, t0: datetime, t1: datetime, boot: bool, queue: str) -> None:
        host = f"ip-{ip.replace('.', '-')}.{REGION}.compute.internal"
        stream = f"accounts-api/accounts-api/{task}"
        if boot:
            kit.log(
                acc_group,
                stream,
                t0,
                pino(t0, host, 30, "loading configuration", env="production", region=REGION),
            )
            kit.log(
                acc_group,
                stream,
                t0 + timedelta(milliseconds=310),
                pino(t0, host, 30, "notify publisher ready", queueUrl=f"{q_base}/{queue}"),
            )
            kit.log(
                acc_group,
                stream,
                t0 + timedelta(milliseconds=820),
                pino(
                    t0,
                    host,
                    30,
                    "postgres pool created",
                    max=20,
                    dbHost="accounts-pg-prod.cluster-c8x2kq.eu-west-2.rds.amazonaws.com",
                ),
            )
            kit.log(
                acc_group,
                stream,
                t0 + timedelta(seconds=1, milliseconds=140),
                pino(t0, host, 30, "Server listening at http://0.0.0.0:8080"),
            )
        t = t0 + timedelta(seconds=3)
        while t < t1:
            t += timedelta(seconds=rng.expovariate(1 / 55))
            if t >= t1:
                break
            m, url, code = rng.choice(routes)
            rid = f"req-{kit.hex(6)}"
            ms = round(rng.lognormvariate(3.2, 0.5), 1)
            if url in ("/v1/password-resets", "/v1/signups", "/v1/email-verifications/resend"):
                tpl = {"/v1/password-resets": "password-reset", "/v1/signups": "email-verification"}.get(
                    url, "email-verification"
                )
                kit.log(
                    acc_group,
                    stream,
                    t,
                    pino(t, host, 30, "notification queued", reqId=rid, template=tpl, messageId=kit.uuid()),
                )
            kit.log(
                acc_group,
                stream,
                t + timedelta(milliseconds=int(ms)),
                pino(
                    t,
                    host,
                    30,
                    "request completed",
                    reqId=rid,
                    req={"method": m, "url": url},
                    res={"statusCode": code},
                    responseTime=ms,
                ),
            )
            if rng.random() < 0.01:
                kit.log(
                    acc_group,
                    stream,
                    t,
                    pino(
                        t,
                        host,
                        40,
                        "slow query",
                        reqId=rid,
                        durationMs=rng.randint(900, 1600),
                        query="select_user_devices",
                    ),
                )

    for task, ip in zip(old_tasks, ips_old, strict=True):
        acc_logs(task, ip, start, onset, False, q_old)
    for task, ip in zip(new_tasks, ips_new, strict=True):
        acc_logs(task, ip, deploy + timedelta(seconds=rng.randint(40, 90)), now, True, q_new)

    def notify_line(t: datetime, level: str, msg: str) -> str:
        return f"{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d} {level} [notify.worker] {msg}"

    for task in n_tasks:
        stream = f"notify-dispatch/notify-dispatch/{task}"
        t = start
        nxt_beat = start + timedelta(minutes=rng.randint(0, 4))
        while t < now:
            t += timedelta(seconds=rng.expovariate(1 / 50))
            if t >= nxt_beat:
                kit.log(
                    notify_group,
                    stream,
                    nxt_beat,
                    notify_line(nxt_beat, "INFO", f"heartbeat queue={q_old} in_flight=0 workers=8"),
                )
                nxt_beat += timedelta(minutes=5)
            if t >= onset or t >= now:
                continue
            tpl = rng.choice(templates)
            kit.log(
                notify_group,
                stream,
                t,
                notify_line(
                    t,
                    "INFO",
                    f"sent template={tpl} ses_message_id=0102{kit.hex(12)}-{kit.uuid()}-000000 attempt=1",
                ),
            )
            if rng.random() < 0.006:
                kit.log(
                    notify_group,
                    stream,
                    t,
                    notify_line(
                        t, "WARNING", "SES Throttling: Maximum sending rate exceeded. retrying in 1.0s"
                    ),
                )
        kit.log(
            notify_group,
            stream,
            start + timedelta(minutes=rng.randint(30, 200)),
            notify_line(
                start, "WARNING", "template email-change-confirm has no text part; sending html only"
            ),
        )

    # --- ECS service events / target health ---------------------------------------------------------
    acc_svc_arn = kit.arn("ecs", f"service/{cluster}/accounts-api")
    dep_id = f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}"

    def ecs_event(t: datetime, msg: str) -> None:
        kit.event(
            "ecs",
            {"service_arn": acc_svc_arn, "event": {"id": kit.uuid(), "createdAt": iso(t), "message": msg}},
        )

    ecs_event(start - timedelta(hours=20), "(service accounts-api) has reached a steady state.")
    t_started = deploy + timedelta(seconds=rng.randint(15, 30))
    ecs_event(
        t_started,
        "(service accounts-api) has started 3 tasks: " + " ".join(f"(task {x})" for x in new_tasks) + ".",
    )
    t_reg = deploy + timedelta(seconds=rng.randint(100, 140))
    ecs_event(t_reg, f"(service accounts-api) registered 3 targets in (target-group {tg_arn})")
    ecs_event(
        onset - timedelta(seconds=20), "(service accounts-api) has begun draining connections on 3 tasks."
    )
    ecs_event(
        onset - timedelta(seconds=19),
        f"(service accounts-api) deregistered 3 targets in (target-group {tg_arn})",
    )
    ecs_event(
        onset + timedelta(seconds=rng.randint(40, 80)),
        "(service accounts-api) has stopped 3 running tasks: "
        + " ".join(f"(task {x})" for x in old_tasks)
        + ".",
    )
    ecs_event(
        onset + timedelta(minutes=2), f"(service accounts-api) (deployment {dep_id}) deployment completed."
    )
    ecs_event(onset + timedelta(minutes=2, seconds=5), "(service accounts-api) has reached a steady state.")
    for ip in ips_old:
        tgt = {"Id": ip, "Port": 8080, "AvailabilityZone": f"{REGION}{rng.choice('abc')}"}
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(start),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
                "timestamp": iso(onset - timedelta(seconds=19)),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "unused",
                    "Reason": "Target.NotRegistered",
                    "Description": "Target is not registered to the target group",
                },
                "timestamp": iso(onset + timedelta(seconds=31)),
            },
        )
    for ip in ips_new:
        tgt = {"Id": ip, "Port": 8080, "AvailabilityZone": f"{REGION}{rng.choice('abc')}"}
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": iso(t_reg),
            },
        )
        kit.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": tgt,
                "health": {"State": "healthy"},
                "timestamp": iso(t_reg + timedelta(seconds=rng.randint(25, 45))),
            },
        )

    # --- CloudTrail ----------------------------------------------------------------------------------
    def q_attrs_req(name: str) -> Json:
        return {
            "queueName": name,
            "attribute": {
                "VisibilityTimeout": "60",
                "MessageRetentionPeriod": "345600",
                "ReceiveMessageWaitTimeSeconds": "20",
                "SqsManagedSseEnabled": "true",
            },
            "tags": {"team": "platform", "service": "notify", "env": "prod"},
        }

    kit.ct(
        v2_created,
        priya,
        "sqs.amazonaws.com",
        "CreateQueue",
        q_attrs_req(q_new),
        {"queueUrl": f"{q_base}/{q_new}"},
        ip=ip_priya,
        agent=CLI_UA.format("sqs.create-queue"),
    )
    kit.ct(
        v2_created + timedelta(minutes=2, seconds=rng.randint(0, 40)),
        priya,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"{q_base}/{q_new}",
            "attributes": {
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": kit.arn("sqs", q_dlq), "maxReceiveCount": 5}
                )
            },
        },
        None,
        ip=ip_priya,
        agent=CLI_UA.format("sqs.set-queue-attributes"),
    )
    kit.ct(
        param_change - timedelta(minutes=1, seconds=rng.randint(5, 40)),
        priya,
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": param},
        None,
        read_only=True,
        ip=ip_priya,
        agent=CLI_UA.format("ssm.get-parameter"),
    )
    culprit = kit.ct(
        param_change,
        priya,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": param, "type": "String", "value": "HIDDEN_DUE_TO_SECURITY_REASONS", "overwrite": True},
        {"version": 4, "tier": "Standard"},
        ip=ip_priya,
        agent=CLI_UA.format("ssm.put-parameter"),
    )
    kit.ct(
        param_change + timedelta(seconds=rng.randint(20, 50)),
        priya,
        "ssm.amazonaws.com",
        "GetParameter",
        {"name": param},
        None,
        read_only=True,
        ip=ip_priya,
        agent=CLI_UA.format("ssm.get-parameter"),
    )

    # innocent change 1: listings-api deploy shortly before
    t_l = onset - timedelta(minutes=rng.randint(18, 26))
    kit.ct(
        t_l,
        ci_list,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "listings-api",
            "taskRoleArn": f"arn:aws:iam::{account}:role/listings-api-task",
            "executionRoleArn": exec_role_arn,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "listings-api",
                    "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/listings-api:{kit.hex(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": kit.arn("ecs", f"task-definition/listings-api:{rng.randint(200, 260)}"),
                "family": "listings-api",
                "status": "ACTIVE",
            }
        },
        ip=ci_ip(rng),
        agent=BOTO_UA,
    )
    kit.ct(
        t_l + timedelta(seconds=rng.randint(5, 12)),
        ci_list,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "listings-api",
            "taskDefinition": "listings-api",
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": "listings-api", "clusterArn": cluster_arn, "status": "ACTIVE"}},
        ip=ci_ip(rng),
        agent=BOTO_UA,
    )
    # the accounts-api deploy (an unrelated feature), which restarts its tasks
    ci_ip_acc = ci_ip(rng)
    kit.ct(
        deploy - timedelta(seconds=rng.randint(20, 40)),
        ci_acc,
        "ecr.amazonaws.com",
        "BatchGetImage",
        {"repositoryName": "accounts-api", "imageIds": [{"imageTag": kit.hex(7)}]},
        None,
        read_only=True,
        ip=ci_ip_acc,
        agent=BOTO_UA,
    )
    kit.ct(
        deploy - timedelta(seconds=8),
        ci_acc,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "accounts-api",
            "taskRoleArn": acc_task_role_arn,
            "executionRoleArn": exec_role_arn,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "accounts-api",
                    "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/accounts-api:{kit.hex(7)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    "secrets": [
                        {"name": "NOTIFY_QUEUE_URL", "valueFrom": param_arn},
                        {
                            "name": "DATABASE_URL",
                            "valueFrom": kit.arn("secretsmanager", "secret:accounts/prod/db-url-Xk2f9Q"),
                        },
                    ],
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": kit.arn("ecs", f"task-definition/accounts-api:{td_new_rev}"),
                "family": "accounts-api",
                "revision": td_new_rev,
                "status": "ACTIVE",
            }
        },
        ip=ci_ip_acc,
        agent=BOTO_UA,
    )
    kit.ct(
        deploy,
        ci_acc,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "accounts-api",
            "taskDefinition": f"accounts-api:{td_new_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "accounts-api",
                "clusterArn": cluster_arn,
                "status": "ACTIVE",
                "taskDefinition": kit.arn("ecs", f"task-definition/accounts-api:{td_new_rev}"),
            }
        },
        ip=ci_ip_acc,
        agent=BOTO_UA,
    )
    # each new task's execution role fetches its secrets and parameters
    for i, task in enumerate(new_tasks):
        tt = t_started + timedelta(seconds=3 + i * 2)
        sess = task
        ex = kit.role(exec_role, sess)
        kit.service_assume(tt - timedelta(seconds=1), "ecs-tasks.amazonaws.com", exec_role_arn, sess)
        kit.ct(
            tt,
            ex,
            "ssm.amazonaws.com",
            "GetParameters",
            {"names": [param], "withDecryption": True},
            None,
            read_only=True,
            ip="ecs-tasks.amazonaws.com",
            agent="ecs-tasks.amazonaws.com",
        )
        kit.ct(
            tt + timedelta(milliseconds=300),
            ex,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {"secretId": kit.arn("secretsmanager", "secret:accounts/prod/db-url-Xk2f9Q")},
            None,
            read_only=True,
            ip="ecs-tasks.amazonaws.com",
            agent="ecs-tasks.amazonaws.com",
        )
        kit.service_assume(tt + timedelta(seconds=20), "ecs-tasks.amazonaws.com", acc_task_role_arn, task)
    # innocent change 2: a developer tunes an alarm shortly after
    t_a = onset + timedelta(minutes=rng.randint(8, 16))
    kit.ct(
        t_a,
        tom,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": "listings-api-p95-latency",
            "namespace": "AWS/ApplicationELB",
            "metricName": "TargetResponseTime",
            "extendedStatistic": "p95",
            "period": 60,
            "evaluationPeriods": 5,
            "threshold": 0.8,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [sns_ops],
        },
        None,
        ip=ip_tom,
        agent=CONSOLE_UA,
    )
    # routine reads and writes
    for t in spread(kit, start, now, 14):
        choices: list[tuple[str, Json]] = [
            (
                "DescribeServices",
                {"cluster": cluster, "services": ["accounts-api", "notify-dispatch", "listings-api"]},
            ),
            ("ListTasks", {"cluster": cluster, "serviceName": "notify-dispatch"}),
            ("DescribeClusters", {"clusters": [cluster]}),
        ]
        api, params = rng.choice(choices)
        kit.ct(
            t,
            dd,
            "ecs.amazonaws.com",
            api,
            params,
            None,
            read_only=True,
            ip="44.192.28.115",
            agent="Datadog-AWS-Integration/1.0",
        )
    for t in spread(kit, start, now, 6):
        kit.ct(
            t,
            dd,
            "sqs.amazonaws.com",
            "ListQueues",
            {},
            None,
            read_only=True,
            ip="44.192.28.115",
            agent="Datadog-AWS-Integration/1.0",
        )
    for t in spread(kit, start + timedelta(hours=1), onset - timedelta(hours=1), 4):
        kit.ct(
            t,
            aisha,
            "logs.amazonaws.com",
            "StartQuery",
            {
                "logGroupNames": [acc_group],
                "startTime": int(t.timestamp()) - 3600,
                "endTime": int(t.timestamp()),
                "queryString": "fields @timestamp, msg | filter level >= 40 | sort @timestamp desc | limit 50",
            },
            {"queryId": kit.uuid()},
            read_only=True,
            ip=ip_aisha,
            agent=CONSOLE_UA,
        )
    for t in spread(kit, start, now, 5):
        sess = kit.hex(32)
        kit.service_assume(t, "ecs-tasks.amazonaws.com", notify_task_role_arn, sess)
    for t in spread(kit, start + timedelta(hours=2), start + timedelta(hours=4), 3):
        kit.ct(
            t,
            tom,
            "ssm.amazonaws.com",
            "GetParametersByPath",
            {"path": "/listings/prod/", "recursive": True, "withDecryption": False},
            None,
            read_only=True,
            ip=ip_tom,
            agent=CLI_UA.format("ssm.get-parameters-by-path"),
        )
    kit.ct(
        start + timedelta(minutes=rng.randint(20, 80)),
        kit.role("terraform-plan-readonly", "atlantis"),
        "iam.amazonaws.com",
        "GetRole",
        {"roleName": "accounts-api-task"},
        None,
        read_only=True,
        ip=ci_ip(rng),
        agent=TF_UA,
    )
    kit.ct(
        start + timedelta(minutes=rng.randint(85, 140)),
        tom,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": "/ecs/listings-api", "retentionInDays": 30},
        None,
        ip=ip_tom,
        agent=CONSOLE_UA,
    )

    # --- alarms --------------------------------------------------------------------------------------
    evaluate_alarm(
        kit,
        AlarmSpec(
            "accounts-api-target-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": alb_dim, "TargetGroup": tg_dim},
            "Sum",
            60,
            3,
            3,
            10,
            "GreaterThanThreshold",
            "accounts-api returning 5xx",
            treat_missing="notBreaching",
            actions=[sns_ops],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "notify-outbound-dlq-visible",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": q_dlq},
            "Maximum",
            300,
            1,
            1,
            10,
            "GreaterThanThreshold",
            "Notification messages dead-lettered",
            actions=[sns_ops],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "notify-outbound-oldest-message",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": q_old},
            "Maximum",
            60,
            5,
            5,
            300,
            "GreaterThanThreshold",
            "Notifications waiting more than 5 minutes",
            actions=[sns_ops],
        ),
    )
    evaluate_alarm(
        kit,
        AlarmSpec(
            "ses-bounce-spike",
            "AWS/SES",
            "Bounce",
            {},
            "Sum",
            300,
            1,
            1,
            25,
            "GreaterThanThreshold",
            "SES bounces above normal",
            treat_missing="notBreaching",
            actions=[sns_ops],
        ),
    )

    # --- resources -----------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 600))
    kit.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 11,
            "pendingTasksCount": 0,
            "activeServicesCount": 4,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        },
    )

    def service(name: str, rev: int, tg: str | None, count: int, updated: datetime) -> Json:
        item: Json = {
            "serviceArn": kit.arn("ecs", f"service/{cluster}/{name}"),
            "serviceName": name,
            "clusterArn": cluster_arn,
            "status": "ACTIVE",
            "desiredCount": count,
            "runningCount": count,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": kit.arn("ecs", f"task-definition/{name}:{rev}"),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}" if name != "accounts-api" else dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": kit.arn("ecs", f"task-definition/{name}:{rev}"),
                    "desiredCount": count,
                    "pendingCount": 0,
                    "runningCount": count,
                    "failedTasks": 0,
                    "createdAt": iso(updated),
                    "updatedAt": iso(updated + timedelta(minutes=7)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment "
                    + (dep_id if name == "accounts-api" else "ecs-svc")
                    + " completed.",
                }
            ],
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg_app],
                    "assignPublicIp": "DISABLED",
                }
            },
            "createdAt": iso(created),
            "schedulingStrategy": "REPLICA",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "healthCheckGracePeriodSeconds": 30 if tg else 0,
        }
        if tg:
            item["loadBalancers"] = [{"targetGroupArn": tg, "containerName": name, "containerPort": 8080}]
        return item

    kit.res("ecs", "Service", service("accounts-api", td_new_rev, tg_arn, 3, deploy))
    kit.res(
        "ecs", "Service", service("notify-dispatch", notify_rev, None, 2, start - timedelta(days=9, hours=3))
    )

    def task_def(family: str, rev: int, secrets: list[Json], role: str, registered: datetime) -> Json:
        return {
            "taskDefinitionArn": kit.arn("ecs", f"task-definition/{family}:{rev}"),
            "family": family,
            "revision": rev,
            "status": "ACTIVE",
            "taskRoleArn": role,
            "executionRoleArn": exec_role_arn,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "registeredAt": iso(registered),
            "registeredBy": ci_acc["arn"] if family == "accounts-api" else priya["arn"],
            "containerDefinitions": [
                {
                    "name": family,
                    "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/{family}:{kit.hex(7)}",
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
                    if family == "accounts-api"
                    else [],
                    "environment": [
                        {
                            "name": "NODE_ENV" if family == "accounts-api" else "NOTIFY_QUEUE_NAME",
                            "value": "production" if family == "accounts-api" else q_old,
                        }
                    ],
                    "secrets": secrets,
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": f"/ecs/{family}",
                            "awslogs-region": REGION,
                            "awslogs-stream-prefix": family,
                        },
                    },
                }
            ],
        }

    acc_secrets = [
        {"name": "NOTIFY_QUEUE_URL", "valueFrom": param_arn},
        {
            "name": "DATABASE_URL",
            "valueFrom": kit.arn("secretsmanager", "secret:accounts/prod/db-url-Xk2f9Q"),
        },
    ]
    kit.res(
        "ecs", "TaskDefinition", task_def("accounts-api", td_new_rev, acc_secrets, acc_task_role_arn, deploy)
    )
    kit.res(
        "ecs",
        "TaskDefinition",
        task_def(
            "accounts-api", td_old_rev, acc_secrets, acc_task_role_arn, start - timedelta(days=2, hours=5)
        ),
    )
    kit.res(
        "ecs",
        "TaskDefinition",
        task_def("notify-dispatch", notify_rev, [], notify_task_role_arn, start - timedelta(days=9, hours=3)),
    )

    def queue(name: str, created_at: datetime, redrive: bool) -> Json:
        attrs = {
            "QueueArn": kit.arn("sqs", name),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created_at.timestamp())),
            "LastModifiedTimestamp": str(int(created_at.timestamp())),
            "VisibilityTimeout": "60",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600" if name != q_dlq else "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if redrive:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": kit.arn("sqs", q_dlq), "maxReceiveCount": 5}
            )
        return {
            "QueueUrl": f"{q_base}/{name}",
            "Attributes": attrs,
            "Tags": {"team": "platform", "service": "notify", "env": "prod"},
        }

    qn = queue(q_new, v2_created, True)
    qn["Attributes"]["ApproximateNumberOfMessages"] = str(int(backlog))
    qn["Attributes"]["LastModifiedTimestamp"] = str(int((v2_created + timedelta(minutes=2)).timestamp()))
    kit.res("sqs", "Queue", queue(q_old, created, True))
    kit.res("sqs", "Queue", qn)
    qd = queue(q_dlq, created, False)
    qd["Attributes"]["ApproximateNumberOfMessages"] = "2"
    kit.res("sqs", "Queue", qd)
    kit.res(
        "ssm",
        "ParameterMetadata",
        {
            "Name": param,
            "ARN": param_arn,
            "Type": "String",
            "LastModifiedDate": iso(param_change),
            "LastModifiedUser": priya["arn"],
            "Version": 4,
            "Tier": "Standard",
            "Policies": [],
            "DataType": "text",
            "Description": "SQS queue accounts-api publishes notification requests to",
        },
    )
    kit.res(
        "ssm",
        "Parameter",
        {
            "Name": param,
            "Type": "String",
            "Value": f"{q_base}/{q_new}",
            "Version": 4,
            "LastModifiedDate": iso(param_change),
            "ARN": param_arn,
            "DataType": "text",
        },
    )
    kit.res(
        "ssm",
        "ParameterMetadata",
        {
            "Name": "/accounts/prod/notify/templates-bucket",
            "ARN": kit.arn("ssm", "parameter/accounts/prod/notify/templates-bucket"),
            "Type": "String",
            "LastModifiedDate": iso(created),
            "LastModifiedUser": priya["arn"],
            "Version": 1,
            "Tier": "Standard",
            "Policies": [],
            "DataType": "text",
        },
    )
    kit.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": alb_arn,
            "DNSName": f"internal-{alb_name}-{rng.randint(10**8, 10**9)}.{REGION}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
            "CreatedTime": iso(created),
            "LoadBalancerName": alb_name,
            "Scheme": "internet-facing",
            "VpcId": vpc,
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{REGION}{z}", "SubnetId": s} for z, s in zip("abc", subnets, strict=True)
            ],
            "SecurityGroups": [kit.eid("sg")],
            "IpAddressType": "ipv4",
        },
    )
    kit.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": tg_name,
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
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [alb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    for role_name, arn in (
        (exec_role, exec_role_arn),
        ("accounts-api-task", acc_task_role_arn),
        ("notify-dispatch-task", notify_task_role_arn),
    ):
        kit.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": role_name,
                "RoleId": "AROA" + kit.upper_id(17),
                "Arn": arn,
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    }
                ),
                "MaxSessionDuration": 3600,
            },
        )
    kit.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "accounts-api-task",
            "PolicyName": "notify-publish",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["sqs:SendMessage", "sqs:GetQueueAttributes"],
                        "Resource": kit.arn("sqs", "notify-outbound*"),
                    }
                ],
            },
        },
    )
    kit.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "notify-dispatch-task",
            "PolicyName": "notify-consume",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility",
                            "sqs:GetQueueAttributes",
                        ],
                        "Resource": kit.arn("sqs", q_old),
                    },
                    {"Effect": "Allow", "Action": ["ses:SendEmail", "ses:SendRawEmail"], "Resource": "*"},
                ],
            },
        },
    )
    for g in (acc_group, notify_group, "/ecs/listings-api"):
        kit.res(
            "logs",
            "LogGroup",
            {
                "logGroupName": g,
                "creationTime": int(created.timestamp() * 1000),
                "retentionInDays": 30,
                "arn": kit.arn("logs", f"log-group:{g}:*"),
                "storedBytes": rng.randint(10**8, 10**10),
            },
        )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": iso(start),
            "end": iso(kit.end),
            "now": iso(now),
            "trigger": {
                "question": (
                    f"Support says customers haven't been getting password-reset or sign-up verification emails since "
                    f"about {(onset + timedelta(hours=1)):%-I:%M%p}".replace("AM", "am").replace("PM", "pm")
                    + ". notify-dispatch is up, nothing is erroring and the DLQ is quiet. What's going on?"
                ),
                "alarm_event": None,
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": param,
                    "category": "change",
                    "failure_mode": "config-parameter-repointed-to-unconsumed-queue",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [param_arn],
                "actions": ["rollback", "restart"],
                "chain": [
                    f"SSM parameter {param} was overwritten to point at {q_new}",
                    f"the accounts-api deploy at {deploy:%H:%M}Z started tasks that read the new queue URL",
                    f"accounts-api now publishes notification requests to {q_new}, which nothing consumes",
                    f"notify-dispatch keeps polling {q_old}, which went quiet, so SES sends dropped",
                    "customers stop receiving password-reset and verification emails",
                ],
            },
        }
    )
    return Bundle(manifest, kit.finish())
