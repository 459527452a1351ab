"""Consent writes fail: a guardrail automation put a permissions boundary on the service's task role."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from urllib.parse import quote

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
    lambda_function,
    local_hour,
    log_group,
    network,
    register_targets_timeline,
    security_group,
    subnet_ip,
    task_definition,
    task_id,
    tcp_from,
)

NAME = "consent-writes-boundary-denied"
TITLE = "consent-service POSTs failing with 500"
SUMMARY = (
    "A security guardrail Lambda attached a permissions boundary to consent-service's task role; the boundary "
    "omits dynamodb:PutItem, so every consent write is denied and the API returns 500 on writes only."
)

JAVA_STACK = (
    "software.amazon.awssdk.services.dynamodb.model.DynamoDbException: User: {who} is not authorized to perform: "
    "dynamodb:PutItem on resource: {table} because no permissions boundary allows the dynamodb:PutItem action "
    "(Service: DynamoDb, Status Code: 400, Request ID: {rid})\n"
    "\tat software.amazon.awssdk.services.dynamodb.model.DynamoDbException$BuilderImpl.build(DynamoDbException.java:104)\n"
    "\tat software.amazon.awssdk.core.internal.http.CombinedResponseHandler.handleErrorResponse(CombinedResponseHandler.java:125)\n"
    "\tat software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:73)\n"
    "\tat software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient.putItem(DefaultDynamoDbClient.java:4283)\n"
    "\tat software.amazon.awssdk.enhanced.dynamodb.internal.client.DefaultDynamoDbTable.putItem(DefaultDynamoDbTable.java:208)\n"
    "\tat io.brightwell.consent.store.ConsentLedger.append(ConsentLedger.kt:61)\n"
    "\tat io.brightwell.consent.api.ConsentController.record(ConsentController.kt:48)\n"
    "\tat java.base/jdk.internal.reflect.DirectMethodHandleAccessor.invoke(DirectMethodHandleAccessor.java:103)\n"
    "\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255)\n"
    "\t... 48 common frames omitted"
)


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed)
    rng = k.rng
    zone = ZONES[k.region]
    day = k.pick_day()
    onset = at_local(day, rng.uniform(10.0, 16.5), zone).replace(second=rng.randint(0, 59), microsecond=0)
    start = (onset - timedelta(hours=4, minutes=rng.randint(0, 45))).replace(second=0)
    start -= timedelta(minutes=start.minute % 5)
    now = onset + timedelta(minutes=rng.randint(33, 55), seconds=rng.randint(0, 59))
    fine = onset - timedelta(hours=2)
    scale = rng.uniform(0.6, 1.5)
    table = "consent-ledger"
    table_arn = k.arn("dynamodb", f"table/{table}")
    cluster = "privacy-prod"
    boundary_arn = f"arn:aws:iam::{k.account}:policy/platform-workload-boundary"

    net = network(k, "privacy-prod")
    sg_alb = security_group(
        k, net, "privacy-api-alb", "privacy API load balancer", [tcp_from(443, cidr="0.0.0.0/0")]
    )
    sg_svc = security_group(
        k, net, "consent-service", "consent-service tasks", [tcp_from(8080, group=sg_alb, desc="ALB")]
    )
    created = start - timedelta(days=rng.randint(250, 800))
    lb = alb(
        k,
        net,
        "privacy-api",
        "consent-service",
        sg_alb,
        created,
        port=8080,
        target_type="ip",
        health_path="/actuator/health",
    )

    def traffic(t: datetime) -> float:
        return daily(local_hour(t, zone), 8, 190, peak=14.0) * scale

    tasks = [(task_id(k), subnet_ip(k, net.subnets[i % 3]), net.subnets[i % 3][1]) for i in range(3)]
    deploy_at = onset - timedelta(minutes=rng.randint(16, 28), seconds=rng.randint(0, 59))
    old_tasks = [(task_id(k), subnet_ip(k, net.subnets[i % 3]), net.subnets[i % 3][1]) for i in range(3)]

    def task_for(t: datetime) -> tuple[str, str, str]:
        pool = tasks if t >= deploy_at + timedelta(minutes=3) else old_tasks
        return rng.choice(pool)

    def denied(t: datetime) -> bool:
        return t >= onset

    for t, step in k.grid(start, now, fine):
        n = traffic(t) * step * (1 + k.jitter(0.06))
        w = n * rng.uniform(0.2, 0.26)
        r = n - w
        if step == 1 and t <= onset < t + timedelta(minutes=1):
            frac = (t + timedelta(minutes=1) - onset).total_seconds() / 60
        else:
            frac = 1.0 if denied(t) else 0.0
        w_fail = w * frac
        lats = [rng.lognormvariate(math.log(0.021), 0.45) for _ in range(min(int(r), 90))]
        lats += [rng.lognormvariate(math.log(0.034), 0.4) for _ in range(min(int(w - w_fail), 30))]
        lats += [rng.lognormvariate(math.log(0.041), 0.3) for _ in range(min(int(w_fail), 30))]
        codes = {"2XX": r * 0.93 + (w - w_fail) * 0.99, "4XX": r * 0.07 + (w - w_fail) * 0.01, "5XX": w_fail}
        alb_step(k, lb, t, requests=n, codes=codes, latencies=lats, healthy=3, unhealthy=0)
        tdims = {"TableName": table}
        wcu = (w - w_fail) * 1.0
        if wcu >= 1:
            k.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, t, "Count", round(wcu, 1))
            k.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**tdims, "Operation": "PutItem"},
                t,
                "Milliseconds",
                k.stats(wcu, rng.uniform(4.8, 6.2), 0.4) or 5.0,
            )
        k.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", tdims, t, "Count", round(r * 0.5 * 1.4, 1))
        k.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tdims, "Operation": "Query"},
            t,
            "Milliseconds",
            k.stats(max(1, r), rng.uniform(3.5, 4.6), 0.4) or 4.0,
        )
        if w_fail >= 1 or rng.random() < 0.1:
            k.put("AWS/DynamoDB", "UserErrors", {}, t, "Count", round(w_fail * 3 + rng.randint(0, 2)))
        dims = {"ClusterName": cluster, "ServiceName": "consent-service"}
        k.put(
            "AWS/ECS",
            "CPUUtilization",
            dims,
            t,
            "Percent",
            k.stats(3 * step, 7 + n / step * 0.06 * (1 + k.jitter(0.08)), 0.3) or 7,
        )
        k.put(
            "AWS/ECS",
            "MemoryUtilization",
            dims,
            t,
            "Percent",
            k.stats(3 * step, 58 + k.jitter(1.0), 0.04) or 58,
        )

    # --- logs ------------------------------------------------------------------------------------
    grp = "/ecs/consent-service"
    for t, _step in k.grid(onset - timedelta(hours=3), now, start):
        n = traffic(t)
        for _ in range(min(6, max(1, round(n / 25)))):
            when = t + timedelta(seconds=rng.uniform(0, 59), microseconds=rng.randint(0, 999) * 1000)
            tid, _ip, _az = task_for(when)
            stamp = f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"
            thread = f"http-nio-8080-exec-{rng.randint(1, 40)}"
            write = rng.random() < 0.23
            trace = k.hex(32)
            if write and denied(when):
                who = f"arn:aws:sts::{k.account}:assumed-role/consent-service-task/{tid}"
                msg = (
                    f"{stamp} ERROR 1 --- [consent-service] [{thread}] [{trace}-{k.hex(16)}] "
                    f"i.b.consent.api.ApiExceptionHandler      : POST /v1/consents failed\n"
                    + JAVA_STACK.format(who=who, table=table_arn, rid=k.upper(52))
                )
                k.log(grp, f"ecs/consent-service/{tid}", when, msg)
                k.log(
                    grp,
                    f"ecs/consent-service/{tid}",
                    when + timedelta(milliseconds=2),
                    f"{stamp}  INFO 1 --- [consent-service] [{thread}] [{trace}-{k.hex(16)}] i.b.consent.http.AccessLog               : "
                    f"POST /v1/consents 500 {rng.randint(28, 60)}ms subject={k.hex(12)}",
                )
            elif write:
                k.log(
                    grp,
                    f"ecs/consent-service/{tid}",
                    when,
                    f"{stamp}  INFO 1 --- [consent-service] [{thread}] [{trace}-{k.hex(16)}] i.b.consent.http.AccessLog               : "
                    f"POST /v1/consents 201 {rng.randint(18, 55)}ms subject={k.hex(12)} purpose={rng.choice(['marketing-email', 'analytics', 'research-contact', 'sms-reminders'])}",
                )
            else:
                k.log(
                    grp,
                    f"ecs/consent-service/{tid}",
                    when,
                    f"{stamp}  INFO 1 --- [consent-service] [{thread}] [{trace}-{k.hex(16)}] i.b.consent.http.AccessLog               : "
                    f"GET /v1/consents/{k.hex(12)} {200 if rng.random() > 0.07 else 404} {rng.randint(6, 30)}ms",
                )
        if rng.random() < 0.02:
            when = t + timedelta(seconds=rng.uniform(0, 59))
            tid, _ip, _az = task_for(when)
            k.log(
                grp,
                f"ecs/consent-service/{tid}",
                when,
                f"{when:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z  WARN 1 --- [consent-service] [           main] "
                f"com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta=1m2s).",
            )
    # deploy: container start lines for the new tasks
    for tid, _ip, _az in tasks:
        when = deploy_at + timedelta(seconds=rng.randint(40, 90))
        k.log(
            grp,
            f"ecs/consent-service/{tid}",
            when,
            f"{when:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z  INFO 1 --- [consent-service] [           main] "
            f"i.b.consent.ConsentApplicationKt        : Started ConsentApplicationKt in {rng.uniform(7, 12):.3f} seconds (process running for {rng.uniform(8, 13):.3f})",
        )

    # guardrail Lambda logs (hourly run)
    enforcer = "iam-boundary-enforcer"
    lgrp = f"/aws/lambda/{enforcer}"
    culprit_run = onset - timedelta(seconds=6)
    runs = sorted(
        culprit_run - timedelta(hours=h) for h in range(6) if culprit_run - timedelta(hours=h) > start
    )

    # --- CloudTrail ------------------------------------------------------------------------------
    guard = k.role(
        "secops-guardrails-remediation", enforcer, ip=k.public_ip(), ua=boto_ua(k, lambda_runtime=True)
    )
    deployer = k.role("github-actions-deploy", "GitHubActions", ip=k.public_ip())
    grafana = k.role("grafana-cloudwatch-read", "grafana", ip=k.public_ip(), ua=GRAFANA_UA)
    people = [
        k.sso("ines.carvalho@brightwellhealth.com", "PlatformAdmin"),
        k.sso("sam.osei@brightwellhealth.com", "Developer"),
    ]
    culprit: J = {}
    for run in runs:
        stream = f"{run:%Y/%m/%d}/[$LATEST]{k.hex(32)}"
        rid = k.uuid()
        k.log(lgrp, stream, run, f"START RequestId: {rid} Version: $LATEST")
        k.assume_role_by(
            run - timedelta(milliseconds=300),
            "lambda.amazonaws.com",
            f"arn:aws:iam::{k.account}:role/secops-guardrails-remediation",
            enforcer,
        )
        k.ct(
            run + timedelta(seconds=1),
            guard,
            "iam.amazonaws.com",
            "ListRoles",
            {"maxItems": 1000},
            read_only=True,
            global_service=True,
        )
        targets = ["reporting-export-task", "consent-service-task"] if run == culprit_run else []
        scanned = rng.randint(140, 190)
        for j, role in enumerate(targets):
            when = run + timedelta(seconds=3 + j * 2)
            k.ct(
                when,
                guard,
                "iam.amazonaws.com",
                "GetRole",
                {"roleName": role},
                read_only=True,
                global_service=True,
            )
            rec = k.ct(
                when + timedelta(milliseconds=rng.randint(300, 700)),
                guard,
                "iam.amazonaws.com",
                "PutRolePermissionsBoundary",
                {"roleName": role, "permissionsBoundary": boundary_arn},
                None,
                global_service=True,
            )
            k.log(
                lgrp,
                stream,
                when + timedelta(seconds=1),
                f"[INFO]\t{iso(when)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tattached boundary {boundary_arn} to role {role} (tag workload-tier=prod, no boundary present)",
            )
            if role == "consent-service-task":
                culprit = rec
        k.log(
            lgrp,
            stream,
            run + timedelta(seconds=9),
            f"[INFO]\t{iso(run + timedelta(seconds=9))[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\tscanned {scanned} roles; {len(targets)} remediated; 0 exempt",
        )
        k.log(lgrp, stream, run + timedelta(seconds=9, milliseconds=40), f"END RequestId: {rid}")
        k.log(
            lgrp,
            stream,
            run + timedelta(seconds=9, milliseconds=41),
            f"REPORT RequestId: {rid}\tDuration: {9000 + rng.uniform(100, 900):.2f} ms\tBilled Duration: {9000 + rng.randint(100, 900)} ms\tMemory Size: 256 MB\tMax Memory Used: {rng.randint(88, 104)} MB\t",
        )

    def r_grafana(w: datetime) -> None:
        k.ct(w, grafana, "monitoring.amazonaws.com", "GetMetricData", None, read_only=True)

    def r_people(w: datetime) -> None:
        p = rng.choice(people)
        c = rng.randrange(4)
        if c == 0:
            k.ct(
                w,
                p,
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": ["consent-service"]},
                read_only=True,
            )
        elif c == 1:
            k.ct(w, p, "dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}, read_only=True)
        elif c == 2:
            k.ct(
                w,
                p,
                "logs.amazonaws.com",
                "StartQuery",
                {
                    "logGroupNames": [grp],
                    "queryString": "fields @timestamp, @message | sort @timestamp desc | limit 50",
                },
                {"queryId": k.uuid()},
                read_only=True,
            )
        else:
            k.ct(
                w,
                p,
                "iam.amazonaws.com",
                "ListRoles",
                {"pathPrefix": "/"},
                read_only=True,
                global_service=True,
            )

    def r_exec(w: datetime) -> None:
        p = k.role(
            "ecs-task-execution", task_id(k), ip="ecs-tasks.amazonaws.com", ua="ecs-tasks.amazonaws.com"
        )
        k.ct(w, p, "ecr.amazonaws.com", "GetAuthorizationToken", {}, None, read_only=True)

    k.routine(start, now, rng.randint(30, 38), [r_grafana, r_grafana, r_people, r_people, r_exec])

    # the deploy of consent-service shortly before (innocent), and a change to a different team's queue
    rev = rng.randint(300, 420)
    image = f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/consent-service:1.{rng.randint(30, 60)}.{rng.randint(0, 9)}"
    k.ct(
        deploy_at - timedelta(seconds=12),
        deployer,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "consent-service",
            "taskRoleArn": f"arn:aws:iam::{k.account}:role/consent-service-task",
            "executionRoleArn": f"arn:aws:iam::{k.account}:role/ecs-task-execution",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": "consent-service",
                    "image": image,
                    "essential": True,
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                }
            ],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": k.arn("ecs", f"task-definition/consent-service:{rev}"),
                "family": "consent-service",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        ua=boto_ua(k),
    )
    k.ct(
        deploy_at,
        deployer,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": "consent-service", "taskDefinition": f"consent-service:{rev}"},
        {
            "service": {
                "serviceName": "consent-service",
                "taskDefinition": k.arn("ecs", f"task-definition/consent-service:{rev}"),
                "desiredCount": 3,
            }
        },
        ua=boto_ua(k),
    )
    k.ct(
        onset + timedelta(minutes=rng.randint(4, 15)),
        people[0],
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": f"https://sqs.{k.region}.amazonaws.com/{k.account}/appointment-reminders",
            "attributes": {"MessageRetentionPeriod": "604800"},
        },
        None,
    )

    # --- resources -------------------------------------------------------------------------------
    ecs_cluster(k, cluster, 5, 2)
    task_definition(
        k,
        "consent-service",
        rev,
        image,
        "consent-service-task",
        deploy_at - timedelta(seconds=12),
        env={
            "SPRING_PROFILES_ACTIVE": "prod",
            "CONSENT_TABLE": table,
            "JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=75",
        },
        cpu="1024",
        memory="2048",
    )
    ecs_service(
        k,
        cluster,
        "consent-service",
        "consent-service",
        rev,
        3,
        net,
        sg_svc,
        created,
        deploy_at,
        target_group=lb.tg_arn,
        events=[
            (
                deploy_at + timedelta(seconds=25),
                f"(service consent-service) has started 3 tasks: (task {tasks[0][0]}) (task {tasks[1][0]}) (task {tasks[2][0]}).",
            ),
            (
                deploy_at + timedelta(minutes=2),
                f"(service consent-service) registered 3 targets in (target-group {lb.tg_arn})",
            ),
            (
                deploy_at + timedelta(minutes=4),
                "(service consent-service) has begun draining connections on 3 tasks.",
            ),
            (
                deploy_at + timedelta(minutes=4, seconds=2),
                f"(service consent-service) deregistered 3 targets in (target-group {lb.tg_arn})",
            ),
            (deploy_at + timedelta(minutes=6), "(service consent-service) has reached a steady state."),
        ],
    )
    register_targets_timeline(
        k, lb.tg_arn, [(ip, 8080, az) for _, ip, az in tasks], deploy_at + timedelta(minutes=2)
    )
    boundary_at = culprit["eventTime"] if culprit else iso(onset)
    iam_role(
        k,
        "consent-service-task",
        "ecs-tasks.amazonaws.com",
        created,
        description="consent-service ECS task role",
        boundary=boundary_arn,
        last_used=now - timedelta(minutes=1),
        tags=[{"Key": "workload-tier", "Value": "prod"}, {"Key": "team", "Value": "privacy"}],
    )
    iam_role(
        k,
        "reporting-export-task",
        "ecs-tasks.amazonaws.com",
        created + timedelta(days=40),
        boundary=boundary_arn,
        tags=[{"Key": "workload-tier", "Value": "prod"}, {"Key": "team", "Value": "data"}],
    )
    iam_role(
        k,
        "secops-guardrails-remediation",
        "lambda.amazonaws.com",
        created,
        description="Guardrail remediation functions",
    )
    k.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "consent-service-task",
            "PolicyName": "consent-ledger-access",
            "PolicyDocument": quote(
                json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "Ledger",
                                "Effect": "Allow",
                                "Action": ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
                                "Resource": [table_arn, f"{table_arn}/index/*"],
                            },
                            {
                                "Sid": "Xray",
                                "Effect": "Allow",
                                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                "Resource": "*",
                            },
                        ],
                    }
                ),
                safe="",
            ),
        },
    )
    k.res(
        "iam",
        "Policy",
        {
            "PolicyName": "platform-workload-boundary",
            "PolicyId": "ANPA" + k.upper(17),
            "Arn": boundary_arn,
            "Path": "/",
            "DefaultVersionId": f"v{rng.randint(3, 7)}",
            "AttachmentCount": 0,
            "PermissionsBoundaryUsageCount": rng.randint(30, 60),
            "IsAttachable": True,
            "Description": "Standard permissions boundary for workload roles (platform security)",
            "CreateDate": iso(created + timedelta(days=100)),
            "UpdateDate": iso(start - timedelta(days=rng.randint(3, 20))),
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "subjectId", "AttributeType": "S"},
                {"AttributeName": "recordedAt", "AttributeType": "S"},
            ],
            "TableName": table,
            "KeySchema": [
                {"AttributeName": "subjectId", "KeyType": "HASH"},
                {"AttributeName": "recordedAt", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(10**9, 5 * 10**9),
            "ItemCount": rng.randint(5 * 10**6, 2 * 10**7),
            "TableArn": table_arn,
            "TableId": k.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
            "LatestStreamLabel": f"{created:%Y-%m-%dT%H:%M:%S}.000",
            "LatestStreamArn": f"{table_arn}/stream/{created:%Y-%m-%dT%H:%M:%S}.000",
            "DeletionProtectionEnabled": True,
        },
    )
    lambda_function(
        k,
        enforcer,
        "python3.12",
        "enforcer.handler",
        "secops-guardrails-remediation",
        start - timedelta(days=rng.randint(2, 12)),
        memory=256,
        timeout=120,
        env={"BOUNDARY_ARN": boundary_arn, "TARGET_TAG": "workload-tier=prod", "MODE": "enforce"},
        description="Attaches the platform boundary to workload roles that lack one (hourly)",
    )
    for g in [grp, lgrp]:
        log_group(k, g, created, 30)

    # --- alarms ----------------------------------------------------------------------------------
    pager = k.arn("sns", "privacy-oncall")
    common: J = {"history_from": start, "updated": created + timedelta(days=rng.randint(5, 90))}
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": lb.tg_dim}
    k.alarm(
        "consent-service-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        3,
        5,
        "GreaterThanThreshold",
        datapoints=3,
        missing="notBreaching",
        actions=[pager],
        ok_actions=[pager],
        description="consent-service returning 5xx",
        **common,
    )
    k.alarm(
        "consent-service-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Average",
        300,
        3,
        0.5,
        "GreaterThanThreshold",
        actions=[pager],
        **common,
    )
    k.alarm(
        "consent-service-unhealthy",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tgd,
        "Maximum",
        60,
        3,
        0,
        "GreaterThanThreshold",
        actions=[pager],
        **common,
    )
    k.alarm(
        "consent-ledger-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": table},
        "Sum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        missing="notBreaching",
        actions=[pager],
        **common,
    )
    k.evaluate_alarms(now)

    event, _fired = k.alarm_event("consent-service-5xx", 0)
    q_at = onset + timedelta(minutes=rng.randint(0, 3))
    q_at -= timedelta(minutes=q_at.minute % 5)
    question = rng.choice(
        [
            f"POST /v1/consents has been 500ing since about {clock(q_at, zone)}; GETs are fine. We shipped consent-service not long before that - was it the deploy?",
            f"consent-service 5xx alarm. Writes fail, reads work, started around {clock(q_at, zone)}. What broke?",
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
                "resource": "consent-service-task",
                "category": "change",
                "failure_mode": "permissions-boundary-denies-write",
                "event_id": culprit.get("eventID"),
            },
            "also_accept": [
                f"arn:aws:iam::{k.account}:role/consent-service-task",
                "platform-workload-boundary",
                boundary_arn,
            ],
            "actions": ["rollback", "reconfigure"],
            "chain": [
                f"iam-boundary-enforcer (secops-guardrails-remediation) ran PutRolePermissionsBoundary on consent-service-task at {boundary_at}",
                "platform-workload-boundary does not allow dynamodb:PutItem, so the task role's own Allow no longer applies",
                f"consent-service's PutItem calls on {table} fail with AccessDenied 'because no permissions boundary allows the dynamodb:PutItem action'",
                "POST /v1/consents returns 500 (reads still succeed); consent-service-5xx alarm on the privacy-api target group",
            ],
        },
    }
    return k.bundle(manifest, now)
