"""Hourly rates-push ECS task stops starting after its EventBridge role's policy was tightened."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zd as k

NAME = "roomgrid-rates-push-silent"
TITLE = "rates-push-no-pushes alarm: room rates and availability not reaching the OTAs"
SUMMARY = (
    "A least-privilege rewrite of the EventBridge rule role's inline policy allows iam:PassRole only on the "
    "task role, not the execution role; every hourly RunTask since fails AccessDenied and nothing runs."
)

JSON = dict[str, Any]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region = "eu-west-1"
    day = k.weekday_in(rng, (0, 1, 2, 3, 4), first="2024-03-04", span_days=200)
    hour = rng.randrange(10, 16)
    onset = day + timedelta(hours=hour)  # the first run that never starts
    start = onset - timedelta(hours=6)
    fine_from = onset - timedelta(hours=3)
    now = onset + timedelta(minutes=60 + rng.randrange(14, 36), seconds=rng.randrange(60))

    cluster = "roomgrid-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    family = "rates-push"
    rule = "rates-push-hourly"
    rule_arn = f"arn:aws:events:{region}:{account}:rule/{rule}"
    events_role = "rates-push-events-role"
    task_role = "rates-push-task"
    exec_role = "rates-push-task-execution"
    arn_role = f"arn:aws:iam::{account}:role/"
    rev_old = rng.randrange(40, 70)
    rev_new = rev_old + 1
    td_old = f"arn:aws:ecs:{region}:{account}:task-definition/{family}:{rev_old}"
    td_new = f"arn:aws:ecs:{region}:{account}:task-definition/{family}:{rev_new}"
    img_old, img_new = k.hexid(rng, 7), k.hexid(rng, 7)
    ecr = f"{account}.dkr.ecr.{region}.amazonaws.com"
    vpc_id = "vpc-" + k.hexid(rng)
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    subnets = {az: "subnet-" + k.hexid(rng) for az in azs}
    sg_jobs, sg_api, sg_alb = ("sg-" + k.hexid(rng) for _ in range(3))
    api_svc = "booking-engine-api"
    api_svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{api_svc}"
    lb_dim = f"app/roomgrid-public/{k.hexid(rng, 16)}"
    tg_dim = f"targetgroup/booking-engine-api/{k.hexid(rng, 16)}"
    db_cluster = "roomgrid-aurora-prod"
    queue = "ota-reservations-inbound"
    properties = rng.randrange(1800, 3400)
    dom = "roomgrid.io"
    engineer = rng.choice(["niamh.doyle", "karl.jensen", "amira.haddad", "tomasz.nowak"])
    security = k.sso_user(rng, account, "PlatformAdmin", f"{engineer}@{dom}", console=True)
    dev = k.sso_user(
        rng, account, "Developer", f"{rng.choice(['joao.pires', 'emma.kirk', 'felix.braun'])}@{dom}"
    )
    dev.agent = k.CLI_UA.replace("{cmd}", "ecs")
    ci = k.role_user(
        rng,
        account,
        "gha-deploy-roomgrid",
        "GitHubActions",
        ip=k.public_ip(rng),
        agent=k.CLI_UA.replace("{cmd}", "ecs"),
    )
    tf = k.role_user(
        rng, account, "atlantis-plan", f"atlantis-{k.hexid(rng, 6)}", ip=k.public_ip(rng), agent=k.TF_UA
    )
    grafana = k.role_user(
        rng,
        account,
        "grafana-cloudwatch-read",
        "grafana",
        ip=k.public_ip(rng),
        agent="aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
    )
    session_of_events = k.hexid(rng, 32)
    ev_who = k.role_user(
        rng,
        account,
        events_role,
        session_of_events,
        ip="events.amazonaws.com",
        agent="events.amazonaws.com",
        service="events.amazonaws.com",
    )

    metrics: list[JSON] = []
    logs: list[JSON] = []
    ct: list[JSON] = []
    resources: list[JSON] = []
    events: list[JSON] = []

    # --- hourly runs ------------------------------------------------------------------------------
    pushed_points: dict[datetime, float] = {}
    tasks: list[JSON] = []
    run_hours = [start + timedelta(hours=h) for h in range(0, 8)]
    ch = "/ecs/rates-push"
    culprit_at = onset - timedelta(minutes=rng.randrange(28, 50), seconds=rng.randrange(60))
    ci_at = onset - timedelta(minutes=rng.randrange(15, 24), seconds=rng.randrange(60))
    for rt in run_hours:
        if rt > now:
            break
        fire = rt + timedelta(seconds=rng.randrange(1, 9))
        ev_who.session = k.hexid(rng, 32)
        td = td_new if rt > ci_at else td_old
        ct.append(
            k.sts_assume(
                rng, account, region, fire, arn_role + events_role, ev_who.session, "events.amazonaws.com"
            )
        )
        metrics.append(k.datum("AWS/Events", "TriggeredRules", {"RuleName": rule}, rt, "Count", 1))
        metrics.append(k.datum("AWS/Events", "Invocations", {"RuleName": rule}, rt, "Count", 1))
        ok = rt < onset
        params = {
            "cluster": cluster_arn,
            "count": 1,
            "launchType": "FARGATE",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": [subnets[azs[0]], subnets[azs[1]]],
                    "securityGroups": [sg_jobs],
                    "assignPublicIp": "DISABLED",
                }
            },
            "platformVersion": "LATEST",
            "taskDefinition": td,
            "startedBy": f"events-rule/{rule}",
            "enableECSManagedTags": True,
            "enableExecuteCommand": False,
        }
        if not ok:
            metrics.append(k.datum("AWS/Events", "FailedInvocations", {"RuleName": rule}, rt, "Count", 1))
            sess = ev_who.identity(fire)["arn"]
            ct.append(
                k.trail(
                    rng,
                    ev_who,
                    fire + timedelta(seconds=1),
                    "ecs.amazonaws.com",
                    "RunTask",
                    region,
                    params=params,
                    error=(
                        "AccessDeniedException",
                        f"User: {sess} is not authorized to perform: iam:PassRole on resource: {arn_role}{exec_role} because no identity-based policy allows the iam:PassRole action",
                    ),
                )
            )
            continue
        task_id = k.hexid(rng, 32)
        task_arn = f"arn:aws:ecs:{region}:{account}:task/{cluster}/{task_id}"
        ct.append(
            k.trail(
                rng,
                ev_who,
                fire + timedelta(seconds=1),
                "ecs.amazonaws.com",
                "RunTask",
                region,
                params=params,
                response={
                    "tasks": [
                        {
                            "taskArn": task_arn,
                            "clusterArn": cluster_arn,
                            "taskDefinitionArn": td,
                            "lastStatus": "PROVISIONING",
                            "desiredStatus": "RUNNING",
                            "group": f"family:{family}",
                            "startedBy": f"events-rule/{rule}",
                            "launchType": "FARGATE",
                            "cpu": "512",
                            "memory": "1024",
                            "createdAt": k.iso(fire).replace("Z", ".000Z"),
                        }
                    ],
                    "failures": [],
                },
            )
        )
        started = fire + timedelta(seconds=rng.randrange(30, 55))
        dur = rng.randrange(190, 330)
        stopped = started + timedelta(seconds=dur)
        stream = f"rates-push/rates-push/{task_id}"
        logs.append(
            k.log(
                ch,
                stream,
                started + timedelta(seconds=2),
                json.dumps(
                    {
                        "ts": k.iso_ms(started + timedelta(seconds=2)),
                        "level": "info",
                        "logger": "rates_push.main",
                        "msg": "run started",
                        "run_id": k.uid(rng),
                        "task_definition": f"{family}:{td.rsplit(':', 1)[1]}",
                    }
                ),
            )
        )
        logs.append(
            k.log(
                ch,
                stream,
                started + timedelta(seconds=5),
                json.dumps(
                    {
                        "ts": k.iso_ms(started + timedelta(seconds=5)),
                        "level": "info",
                        "logger": "rates_push.inventory",
                        "msg": "loaded changed inventory",
                        "properties": properties + rng.randrange(-40, 40),
                        "room_types": properties * 4 + rng.randrange(0, 90),
                        "since": k.iso(rt - timedelta(hours=1)),
                    }
                ),
            )
        )
        pushed = 0
        for i, channel in enumerate(["booking_com", "expedia", "airbnb", "hotelbeds"]):
            n = int(properties * [0.92, 0.71, 0.38, 0.22][i] * rng.uniform(0.97, 1.0))
            pushed += n
            when = started + timedelta(seconds=int(dur * (i + 1) / 5))
            if rng.random() < 0.35:
                logs.append(
                    k.log(
                        ch,
                        stream,
                        when - timedelta(seconds=9),
                        json.dumps(
                            {
                                "ts": k.iso_ms(when - timedelta(seconds=9)),
                                "level": "warning",
                                "logger": f"rates_push.channels.{channel}",
                                "msg": "rate limited by channel, backing off",
                                "status": 429,
                                "retry_in_s": rng.choice([2, 4, 8]),
                            }
                        ),
                    )
                )
            logs.append(
                k.log(
                    ch,
                    stream,
                    when,
                    json.dumps(
                        {
                            "ts": k.iso_ms(when),
                            "level": "info",
                            "logger": f"rates_push.channels.{channel}",
                            "msg": "push complete",
                            "properties": n,
                            "rejected": k.poisson(rng, 1.5),
                            "elapsed_ms": rng.randrange(20000, 70000),
                        }
                    ),
                )
            )
        logs.append(
            k.log(
                ch,
                stream,
                stopped - timedelta(seconds=1),
                json.dumps(
                    {
                        "ts": k.iso_ms(stopped - timedelta(seconds=1)),
                        "level": "info",
                        "logger": "rates_push.main",
                        "msg": "run finished",
                        "pushed": pushed,
                        "duration_s": dur,
                    }
                ),
            )
        )
        bucket = stopped - timedelta(minutes=stopped.minute % 15, seconds=stopped.second)
        pushed_points[bucket] = pushed_points.get(bucket, 0) + float(pushed)
        jd = {"JobName": family}
        metrics.append(
            k.datum(
                "RoomGrid/ChannelSync", "PropertiesPushed", jd, stopped.replace(second=0), "Count", pushed
            )
        )
        metrics.append(
            k.datum(
                "RoomGrid/ChannelSync", "RunDurationSeconds", jd, stopped.replace(second=0), "Seconds", dur
            )
        )
        tasks.append(
            {
                "attachments": [
                    {
                        "id": k.uid(rng),
                        "type": "ElasticNetworkInterface",
                        "status": "DELETED",
                        "details": [
                            {"name": "subnetId", "value": subnets[azs[0]]},
                            {"name": "networkInterfaceId", "value": "eni-" + k.hexid(rng)},
                            {
                                "name": "privateIPv4Address",
                                "value": f"10.20.{rng.randrange(0, 15)}.{rng.randrange(4, 250)}",
                            },
                        ],
                    }
                ],
                "availabilityZone": azs[0],
                "clusterArn": cluster_arn,
                "connectivity": "CONNECTED",
                "connectivityAt": k.iso(fire + timedelta(seconds=6)),
                "containers": [
                    {
                        "containerArn": f"arn:aws:ecs:{region}:{account}:container/{cluster}/{task_id}/{k.uid(rng)}",
                        "taskArn": task_arn,
                        "name": "rates-push",
                        "image": f"{ecr}/rates-push:{img_new if td == td_new else img_old}",
                        "lastStatus": "STOPPED",
                        "exitCode": 0,
                        "networkInterfaces": [],
                        "healthStatus": "UNKNOWN",
                        "cpu": "0",
                    }
                ],
                "cpu": "512",
                "createdAt": k.iso(fire),
                "desiredStatus": "STOPPED",
                "executionStoppedAt": k.iso(stopped),
                "group": f"family:{family}",
                "lastStatus": "STOPPED",
                "launchType": "FARGATE",
                "memory": "1024",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "pullStartedAt": k.iso(fire + timedelta(seconds=12)),
                "pullStoppedAt": k.iso(started - timedelta(seconds=3)),
                "startedAt": k.iso(started),
                "startedBy": f"events-rule/{rule}",
                "stopCode": "EssentialContainerExited",
                "stoppedAt": k.iso(stopped + timedelta(seconds=20)),
                "stoppedReason": "Essential container in task exited",
                "stoppingAt": k.iso(stopped + timedelta(seconds=1)),
                "taskArn": task_arn,
                "taskDefinitionArn": td,
                "version": 5,
            }
        )
    # only the latest stopped tasks are still listed (ECS keeps stopped tasks about an hour)
    for t_item in tasks:
        if datetime.fromisoformat(str(t_item["stoppedAt"]).replace("Z", "+00:00")) >= now - timedelta(
            hours=2
        ):
            resources.append(k.res("ecs", "Task", t_item))

    # --- the booking engine and friends (healthy throughout) ---------------------------------------
    lbd = {"LoadBalancer": lb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    svcd = {"ClusterName": cluster, "ServiceName": api_svc}
    peak = rng.uniform(2600, 4200)
    desired = 6
    scale_at = onset - timedelta(minutes=rng.randrange(4, 12), seconds=rng.randrange(60))
    for bt, per in k.grid(start, fine_from, now - timedelta(minutes=1)):
        f = per / 60
        load = peak * k.diurnal(bt, 1.0, 13.0, 0.2, 6.0) * (1 + rng.gauss(0, 0.03)) * f
        n = 8 if bt >= scale_at + timedelta(minutes=2) else desired
        reqs = int(load)
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", tgd, bt, "Count", reqs))
        metrics.append(k.datum("AWS/ApplicationELB", "RequestCount", lbd, bt, "Count", int(reqs * 1.31)))
        metrics.append(
            k.datum("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", tgd, bt, "Count", int(reqs * 0.962))
        )
        metrics.append(
            k.datum("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", tgd, bt, "Count", int(reqs * 0.037))
        )
        t5 = k.poisson(rng, 0.3 * f)
        if t5:
            metrics.append(k.datum("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, bt, "Count", t5))
        metrics.append(
            k.latency(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                tgd,
                bt,
                "Seconds",
                rng.uniform(0.06, 0.075),
                0.6,
                max(8, reqs // 200),
            )
        )
        metrics.append(k.datum("AWS/ApplicationELB", "HealthyHostCount", tgd, bt, "Count", n))
        metrics.append(
            k.datum(
                "AWS/ECS",
                "CPUUtilization",
                svcd,
                bt,
                "Percent",
                k.jitter(rng, 12 + 30 * load / f / peak * 6 / n, 0.06),
            )
        )
        metrics.append(k.datum("AWS/ECS", "MemoryUtilization", svcd, bt, "Percent", k.jitter(rng, 41, 0.02)))
        dbd = {"DBClusterIdentifier": db_cluster}
        metrics.append(
            k.datum(
                "AWS/RDS",
                "CPUUtilization",
                dbd,
                bt,
                "Percent",
                k.jitter(rng, 14 + 20 * load / f / peak, 0.06),
            )
        )
        metrics.append(
            k.datum("AWS/RDS", "DatabaseConnections", dbd, bt, "Count", n * 10 + 14 + rng.randrange(0, 3))
        )
        qd = {"QueueName": queue}
        sent = k.poisson(rng, 14 * f * k.diurnal(bt, 1.0, 13.0, 0.2, 6.0))
        metrics.append(k.datum("AWS/SQS", "NumberOfMessagesSent", qd, bt, "Count", sent))
        metrics.append(
            k.datum("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, bt, "Count", k.poisson(rng, 0.6))
        )
        metrics.append(
            k.datum("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, bt, "Seconds", rng.randrange(0, 4))
        )

    # --- alarms -----------------------------------------------------------------------------------
    sns = f"arn:aws:sns:{region}:{account}:roomgrid-ops-alerts"
    spec = k.AlarmSpec(
        name="rates-push-no-pushes",
        namespace="RoomGrid/ChannelSync",
        metric="PropertiesPushed",
        dims={"JobName": family},
        stat="Sum",
        period=900,
        evals=4,
        dta=4,
        threshold=1.0,
        comparison="LessThanThreshold",
        treat_missing="breaching",
        description="No rates/availability pushed to channels for an hour. Runbook: https://wiki.roomgrid.io/ops/rates-push",
        actions=[sns],
    )
    tr = k.evaluate_alarm(spec, pushed_points, start, now)
    alarm, hist = k.alarm_items(spec, account, region, tr, day - timedelta(days=300))
    alarms = [alarm]
    for q in [
        k.AlarmSpec(
            "booking-engine-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            3,
            25.0,
            "GreaterThanThreshold",
            "notBreaching",
            "booking engine returning 5xx",
            [sns],
        ),
        k.AlarmSpec(
            "booking-engine-api-p95",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "p95",
            300,
            2,
            2,
            1.0,
            "GreaterThanThreshold",
            "missing",
            "booking engine p95 above 1s",
            [sns],
            extended=True,
        ),
        k.AlarmSpec(
            "ota-reservations-inbound-age",
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            {"QueueName": queue},
            "Maximum",
            60,
            5,
            5,
            300.0,
            "GreaterThanThreshold",
            "missing",
            "inbound OTA reservations not being consumed",
            [sns],
        ),
        k.AlarmSpec(
            "roomgrid-aurora-prod-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBClusterIdentifier": db_cluster},
            "Average",
            300,
            3,
            3,
            75.0,
            "GreaterThanThreshold",
            "missing",
            "Aurora writer CPU",
            [sns],
        ),
    ]:
        alarms.append(
            k.quiet_alarm(
                q,
                account,
                region,
                day - timedelta(days=rng.randrange(100, 400)),
                day - timedelta(days=rng.randrange(2, 30)),
            )
        )

    # --- CloudTrail: the changes ------------------------------------------------------------------
    policy_doc = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RunRatesPushTask",
                "Effect": "Allow",
                "Action": "ecs:RunTask",
                "Resource": f"arn:aws:ecs:{region}:{account}:task-definition/{family}:*",
                "Condition": {"ArnEquals": {"ecs:cluster": cluster_arn}},
            },
            {
                "Sid": "PassTaskRole",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"{arn_role}{task_role}",
                "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            },
        ],
    }
    ct.append(
        k.trail(
            rng,
            security,
            culprit_at - timedelta(minutes=6),
            "iam.amazonaws.com",
            "GetRole",
            "us-east-1",
            params={"roleName": events_role},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            security,
            culprit_at - timedelta(minutes=5),
            "iam.amazonaws.com",
            "GetRolePolicy",
            "us-east-1",
            params={"roleName": events_role, "policyName": "run-rates-push"},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            security,
            culprit_at - timedelta(minutes=4),
            "access-analyzer.amazonaws.com",
            "ValidatePolicy",
            region,
            params={"policyType": "IDENTITY_POLICY", "locale": "EN"},
            read_only=True,
        )
    )
    culprit = k.trail(
        rng,
        security,
        culprit_at,
        "iam.amazonaws.com",
        "PutRolePolicy",
        "us-east-1",
        params={
            "roleName": events_role,
            "policyName": "run-rates-push",
            "policyDocument": json.dumps(policy_doc, indent=4),
        },
    )
    ct.append(culprit)
    ct.append(
        k.trail(
            rng,
            security,
            culprit_at + timedelta(minutes=2),
            "iam.amazonaws.com",
            "GetRolePolicy",
            "us-east-1",
            params={"roleName": events_role, "policyName": "run-rates-push"},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            security,
            culprit_at + timedelta(minutes=rng.randrange(5, 9)),
            "iam.amazonaws.com",
            "ListRolePolicies",
            "us-east-1",
            params={"roleName": "channel-webhooks-events-role"},
            read_only=True,
        )
    )
    # CI ships a new rates-push image: new revision, same roles, rule target updated
    container = {
        "name": "rates-push",
        "image": f"{ecr}/rates-push:{img_new}",
        "cpu": 0,
        "essential": True,
        "environment": [{"name": "APP_ENV", "value": "production"}, {"name": "LOG_FORMAT", "value": "json"}],
        "secrets": [
            {
                "name": "CHANNEL_API_KEYS",
                "valueFrom": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/rates-push/channel-keys-{k.hexid(rng, 6)}",
            }
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": ch, "awslogs-region": region, "awslogs-stream-prefix": "rates-push"},
        },
    }
    ct.append(
        k.trail(
            rng,
            ci,
            ci_at,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            region,
            params={
                "family": family,
                "taskRoleArn": arn_role + task_role,
                "executionRoleArn": arn_role + exec_role,
                "networkMode": "awsvpc",
                "containerDefinitions": [container],
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
            },
            response={
                "taskDefinition": {
                    "taskDefinitionArn": td_new,
                    "family": family,
                    "revision": rev_new,
                    "status": "ACTIVE",
                    "taskRoleArn": arn_role + task_role,
                    "executionRoleArn": arn_role + exec_role,
                }
            },
        )
    )
    target = {
        "Id": "rates-push-task",
        "Arn": cluster_arn,
        "RoleArn": arn_role + events_role,
        "EcsParameters": {
            "TaskDefinitionArn": td_new,
            "TaskCount": 1,
            "LaunchType": "FARGATE",
            "NetworkConfiguration": {
                "awsvpcConfiguration": {
                    "Subnets": [subnets[azs[0]], subnets[azs[1]]],
                    "SecurityGroups": [sg_jobs],
                    "AssignPublicIp": "DISABLED",
                }
            },
            "PlatformVersion": "LATEST",
            "EnableECSManagedTags": True,
        },
        "RetryPolicy": {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 3600},
    }
    ct.append(
        k.trail(
            rng,
            ci,
            ci_at + timedelta(seconds=rng.randrange(20, 50)),
            "events.amazonaws.com",
            "PutTargets",
            region,
            params={
                "rule": rule,
                "targets": [
                    {
                        "id": "rates-push-task",
                        "arn": cluster_arn,
                        "roleArn": arn_role + events_role,
                        "ecsParameters": {
                            "taskDefinitionArn": td_new,
                            "taskCount": 1,
                            "launchType": "FARGATE",
                        },
                    }
                ],
            },
            response={"failedEntryCount": 0, "failedEntries": []},
        )
    )
    ct.append(
        k.trail(
            rng,
            dev,
            scale_at,
            "ecs.amazonaws.com",
            "UpdateService",
            region,
            params={"cluster": cluster, "service": api_svc, "desiredCount": 8},
            response={
                "service": {"serviceName": api_svc, "desiredCount": 8, "runningCount": 6, "status": "ACTIVE"}
            },
        )
    )
    ct.append(
        k.trail(
            rng,
            dev,
            scale_at - timedelta(minutes=1),
            "ecs.amazonaws.com",
            "DescribeServices",
            region,
            params={"cluster": cluster, "services": [api_svc]},
            read_only=True,
        )
    )
    ct.append(
        k.trail(
            rng,
            dev,
            start + timedelta(minutes=rng.randrange(30, 120), seconds=rng.randrange(60)),
            "secretsmanager.amazonaws.com",
            "PutSecretValue",
            region,
            params={"secretId": "prod/channel-webhooks/signing-key", "clientRequestToken": k.uid(rng)},
            response={"versionId": k.uid(rng)},
        )
    )
    ct.append(
        k.trail(
            rng,
            ci,
            start + timedelta(minutes=rng.randrange(150, 170), seconds=rng.randrange(60)),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            region,
            params={
                "family": "channel-webhooks",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "256",
                "memory": "512",
            },
            response={
                "taskDefinition": {
                    "family": "channel-webhooks",
                    "revision": rng.randrange(100, 200),
                    "status": "ACTIVE",
                }
            },
        )
    )
    ct += k.background_reads(
        rng,
        [tf, grafana, dev],
        [
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [api_svc]}),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster}),
            ("events.amazonaws.com", "ListRules", {"namePrefix": "rates"}),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("logs.amazonaws.com", "DescribeLogGroups", None),
            ("iam.amazonaws.com", "ListRoles", None),
            ("rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": db_cluster}),
        ],
        start,
        now,
        region,
        22,
    )
    for r in ct:
        if r["eventSource"] == "iam.amazonaws.com":
            r["awsRegion"] = "us-east-1"
    ct = [r for r in ct if str(r["eventTime"]) <= k.iso(now)]
    ct.sort(key=lambda r: str(r["eventTime"]))

    # --- booking-engine logs and ECS service events --------------------------------------------------
    lg = f"/ecs/{api_svc}"
    api_tasks = [k.hexid(rng, 32) for _ in range(8)]
    routes = [
        ("GET", "/v2/availability"),
        ("GET", "/v2/rates"),
        ("POST", "/v2/bookings"),
        ("GET", "/v2/properties/{id}"),
        ("POST", "/v2/holds"),
    ]
    for t in k.steps(now - timedelta(hours=2, minutes=30), now, 40):
        n_live = 8 if t >= scale_at + timedelta(minutes=2) else 6
        tid = api_tasks[rng.randrange(n_live)]
        method, path = rng.choice(routes)
        path = path.replace("{id}", str(rng.randrange(1000, 9999)))
        status = 201 if method == "POST" and rng.random() < 0.9 else (404 if rng.random() < 0.04 else 200)
        tt = t + timedelta(milliseconds=rng.randrange(0, 39999))
        logs.append(
            k.log(
                lg,
                f"api/{api_svc}/{tid}",
                tt,
                json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(tt),
                        "pid": 1,
                        "hostname": f"ip-10-20-{rng.randrange(0, 15)}-{rng.randrange(4, 250)}.{region}.compute.internal",
                        "reqId": f"req-{rng.randrange(1, 99999):x}",
                        "req": {"method": method, "url": path},
                        "res": {"statusCode": status},
                        "responseTime": round(k.jitter(rng, 48, 0.5), 1),
                        "msg": "request completed",
                    }
                ),
            )
        )
        if rng.random() < 0.02:
            logs.append(
                k.log(
                    lg,
                    f"api/{api_svc}/{tid}",
                    tt + timedelta(milliseconds=5),
                    json.dumps(
                        {
                            "level": 40,
                            "time": k.ms(tt) + 5,
                            "pid": 1,
                            "msg": "availability cache miss storm: refreshing",
                            "keys": rng.randrange(40, 200),
                        }
                    ),
                )
            )
    svc_events = [
        {
            "id": k.uid(rng),
            "createdAt": k.iso(start + timedelta(minutes=rng.randrange(20, 60))),
            "message": f"(service {api_svc}) has reached a steady state.",
        },
        {
            "id": k.uid(rng),
            "createdAt": k.iso(scale_at + timedelta(seconds=12)),
            "message": f"(service {api_svc}) has started 2 tasks: (task {api_tasks[6]}) (task {api_tasks[7]}).",
        },
        {
            "id": k.uid(rng),
            "createdAt": k.iso(scale_at + timedelta(minutes=2, seconds=rng.randrange(10, 50))),
            "message": f"(service {api_svc}) registered 2 targets in (target-group arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim})",
        },
        {
            "id": k.uid(rng),
            "createdAt": k.iso(scale_at + timedelta(minutes=4, seconds=rng.randrange(0, 50))),
            "message": f"(service {api_svc}) has reached a steady state.",
        },
    ]
    for e in svc_events:
        if str(e["createdAt"]) <= k.iso(now):
            events.append({"source": "ecs", "item": {"service_arn": api_svc_arn, "event": e}})

    # --- resources --------------------------------------------------------------------------------
    resources.append(
        k.res(
            "events",
            "Rule",
            {
                "Name": rule,
                "Arn": rule_arn,
                "State": "ENABLED",
                "Description": "Push changed rates and availability to OTA channels every hour",
                "ScheduleExpression": "cron(0 * * * ? *)",
                "EventBusName": "default",
            },
        )
    )
    resources.append(k.res("events", "Target", target))
    resources.append(
        k.res(
            "events",
            "Rule",
            {
                "Name": "channel-webhooks-retry",
                "Arn": f"arn:aws:events:{region}:{account}:rule/channel-webhooks-retry",
                "State": "ENABLED",
                "Description": "Retry failed channel webhooks",
                "ScheduleExpression": "rate(10 minutes)",
                "EventBusName": "default",
            },
        )
    )
    created = day - timedelta(days=rng.randrange(300, 600))
    resources.append(
        k.res(
            "iam",
            "Role",
            k.iam_role(
                account,
                events_role,
                k.upper_id(rng, "AROA", 17),
                created,
                "events.amazonaws.com",
                "EventBridge runs the hourly rates-push task",
                onset - timedelta(hours=1),
                region,
            ),
        )
    )
    resources.append(
        k.res(
            "iam",
            "Role",
            k.iam_role(
                account,
                task_role,
                k.upper_id(rng, "AROA", 17),
                created,
                "ecs-tasks.amazonaws.com",
                "rates-push application role",
                onset - timedelta(hours=1),
                region,
            ),
        )
    )
    resources.append(
        k.res(
            "iam",
            "Role",
            k.iam_role(
                account,
                exec_role,
                k.upper_id(rng, "AROA", 17),
                created,
                "ecs-tasks.amazonaws.com",
                "ECS agent: pull image, write logs, read secrets for rates-push",
                onset - timedelta(hours=1),
                region,
            ),
        )
    )
    resources.append(
        k.res(
            "iam",
            "RoleInlinePolicy",
            {"RoleName": events_role, "PolicyName": "run-rates-push", "PolicyDocument": policy_doc},
        )
    )
    resources.append(
        k.res(
            "iam",
            "RoleAttachedPolicy",
            {
                "RoleName": exec_role,
                "PolicyName": "AmazonECSTaskExecutionRolePolicy",
                "PolicyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            },
        )
    )
    resources.append(
        k.res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": exec_role,
                "PolicyName": "read-channel-keys",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": f"arn:aws:secretsmanager:{region}:{account}:secret:prod/rates-push/*",
                        }
                    ],
                },
            },
        )
    )
    resources.append(
        k.res(
            "iam",
            "RoleInlinePolicy",
            {
                "RoleName": task_role,
                "PolicyName": "rates-push-app",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["cloudwatch:PutMetricData"],
                            "Resource": "*",
                            "Condition": {"StringEquals": {"cloudwatch:namespace": "RoomGrid/ChannelSync"}},
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["rds-db:connect"],
                            "Resource": f"arn:aws:rds-db:{region}:{account}:dbuser:*/rates_push",
                        },
                    ],
                },
            },
        )
    )
    for rev, td_arn, img, reg_at in (
        (rev_old, td_old, img_old, day - timedelta(days=rng.randrange(3, 12))),
        (rev_new, td_new, img_new, ci_at),
    ):
        cdef = dict(container)
        cdef["image"] = f"{ecr}/rates-push:{img}"
        resources.append(
            k.res(
                "ecs",
                "TaskDefinition",
                {
                    "taskDefinitionArn": td_arn,
                    "containerDefinitions": [cdef],
                    "family": family,
                    "taskRoleArn": arn_role + task_role,
                    "executionRoleArn": arn_role + exec_role,
                    "networkMode": "awsvpc",
                    "revision": rev,
                    "volumes": [],
                    "status": "ACTIVE",
                    "compatibilities": ["EC2", "FARGATE"],
                    "requiresCompatibilities": ["FARGATE"],
                    "cpu": "512",
                    "memory": "1024",
                    "registeredAt": k.iso(reg_at),
                    "registeredBy": f"arn:aws:sts::{account}:assumed-role/gha-deploy-roomgrid/GitHubActions",
                },
            )
        )
    resources.append(
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 8 + 3,
                "pendingTasksCount": 0,
                "activeServicesCount": 4,
                "settings": [{"name": "containerInsights", "value": "disabled"}],
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        )
    )
    resources.append(
        k.res(
            "ecs",
            "Service",
            {
                "serviceArn": api_svc_arn,
                "serviceName": api_svc,
                "clusterArn": cluster_arn,
                "loadBalancers": [
                    {
                        "targetGroupArn": f"arn:aws:elasticloadbalancing:{region}:{account}:{tg_dim}",
                        "containerName": "api",
                        "containerPort": 8080,
                    }
                ],
                "status": "ACTIVE",
                "desiredCount": 8,
                "runningCount": 8,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "LATEST",
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{api_svc}:{rng.randrange(200, 400)}",
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "events": [],
                "createdAt": k.iso(created),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": list(subnets.values()),
                        "securityGroups": [sg_api],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 30,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
            },
        )
    )
    resources.append(
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{region}.amazonaws.com/{account}/{queue}",
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{region}:{account}:{queue}",
                    "VisibilityTimeout": "60",
                    "MessageRetentionPeriod": "345600",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "2",
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "booking-engine"},
            },
        )
    )
    resources.append(k.res("logs", "LogGroup", k.log_group(account, region, ch, created, 90, 2_418_331_204)))
    resources.append(k.res("logs", "LogGroup", k.log_group(account, region, lg, created, 30, 58_020_119_441)))
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                account, sg_jobs, "roomgrid-scheduled-jobs", "scheduled ECS jobs (egress only)", vpc_id, []
            ),
        )
    )
    resources.append(
        k.res(
            "ec2",
            "SecurityGroup",
            k.security_group(
                account,
                sg_api,
                "booking-engine-api",
                "booking engine tasks",
                vpc_id,
                [k.sg_rule_from_sg(8080, sg_alb, account, "from public ALB")],
            ),
        )
    )
    for i, az in enumerate(azs):
        resources.append(
            k.res(
                "ec2",
                "Subnet",
                k.subnet(
                    rng,
                    account,
                    subnet_id=subnets[az],
                    vpc=vpc_id,
                    az=az,
                    cidr=f"10.20.{i * 16}.0/20",
                    name=f"roomgrid-prod-private-{az[-1]}",
                    public=False,
                    free=rng.randrange(3950, 4080),
                ),
            )
        )

    logs = [entry for entry in logs if int(entry["timestamp"]) <= k.ms(now)]
    logs.sort(key=lambda e: (str(e["log_group"]), str(e["log_stream"]), int(e["timestamp"])))
    trigger: JSON = {"question": None}
    if tr and tr[-1][2] == "ALARM":
        prev = (
            "OK",
            tr[-2][3]
            if len(tr) > 1
            else "Threshold Crossed: 1 out of the last 4 datapoints was not less than the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).",
            tr[-2][4] if len(tr) > 1 else "{}",
            k.iso_ms(tr[-1][0] - timedelta(days=9, hours=2)).replace("Z", "+0000"),
        )
        trigger["alarm_event"] = k.alarm_event(alarm, spec, account, region, rng, prev)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": trigger,
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": events_role,
                    "category": "change",
                    "failure_mode": "events-role-cannot-pass-execution-role",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [arn_role + events_role, "run-rates-push"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"PutRolePolicy on {events_role} (policy run-rates-push) now allows iam:PassRole only on {task_role}, not {exec_role}",
                    f"EventBridge rule {rule} invokes ecs:RunTask each hour with {events_role}; RunTask fails AccessDenied on iam:PassRole for {exec_role}",
                    f"no {family} task starts (FailedInvocations, no logs, no PropertiesPushed)",
                    "rates and availability stop reaching the OTA channels; rates-push-no-pushes alarm",
                ],
            },
        }
    )
    records: dict[str, list[JSON]] = {
        "metrics": metrics,
        "alarms": alarms,
        "alarm_history": hist,
        "logs": logs,
        "cloudtrail": ct,
        "resources": resources,
        "events": events,
    }
    return Bundle(manifest, records)
