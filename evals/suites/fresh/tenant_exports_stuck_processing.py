"""Ticket exports stop completing after an IAM baseline apply shortens a role's maximum session."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzz import Kit, iso

NAME = "tenant-exports-stuck-processing"
TITLE = "Customers' 'Export all tickets' downloads stuck on 'processing' since mid-morning"
SUMMARY = (
    "An IAM baseline apply cut the export role's MaxSessionDuration to one hour; the export worker asks "
    "for four-hour sessions, so every AssumeRole fails and export jobs drain into the dead-letter queue."
)

TZ = ZoneInfo("America/New_York")


def build(seed: int) -> Bundle:
    k = Kit(seed, "us-east-1", NAME)
    rng = k.rng
    day = k.day()
    onset = day.replace(hour=14, minute=rng.randint(5, 40), second=rng.randint(0, 59))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 20))
    start = start.replace(second=0)
    now = onset + timedelta(minutes=rng.randint(58, 70))
    end = now
    acct = k.account
    cluster = "helpline-prod"
    svc = "export-worker"
    qname, dlq = "tenant-exports", "tenant-exports-dlq"
    qurl = f"https://sqs.us-east-1.amazonaws.com/{acct}/{qname}"
    dlq_url = f"https://sqs.us-east-1.amazonaws.com/{acct}/{dlq}"
    writer = "tenant-export-writer"
    writer_arn = f"arn:aws:iam::{acct}:role/{writer}"
    task_role = "export-worker-task"
    topic = f"arn:aws:sns:us-east-1:{acct}:helpline-oncall"
    deploy_at = onset - timedelta(minutes=rng.randint(32, 48))
    new_rev = rng.randint(40, 70)
    tasks_old = [k.hexid(32), k.hexid(32)]
    tasks_new = [k.hexid(32), k.hexid(32)]
    version_new = f"2.{rng.randint(10, 19)}.{rng.randint(1, 6)}"
    tenants = [
        "acme-logistics",
        "northwind-health",
        "bluepeak-energy",
        "orbit-retail",
        "lumen-travel",
        "castor-insurance",
        "kiteworks-edu",
        "harbor-foods",
    ]

    def worker_ident(task: str) -> dict[str, Any]:
        return k.role_identity(task_role, task)

    def stream(task: str) -> str:
        return f"{svc}/{svc}/{task}"

    def task_at(t: Any) -> str:
        pool = tasks_new if t >= deploy_at + timedelta(minutes=2) else tasks_old
        return rng.choice(pool)

    def logline(t: Any, level: str, msg: str) -> str:
        return f"{t.strftime('%Y-%m-%d %H:%M:%S')},{t.microsecond // 1000:03d} {level} {msg}"

    group = f"/ecs/{svc}"
    # --- export jobs -------------------------------------------------------------------------
    sent: dict[int, int] = {}
    received: dict[int, int] = {}
    deleted: dict[int, int] = {}
    inflight: list[tuple[Any, Any]] = []
    dlq_moves: list[Any] = []
    busy: list[tuple[Any, Any]] = []
    t = start + timedelta(minutes=rng.uniform(1, 6))

    def minute(x: Any) -> int:
        return int((x - start).total_seconds() // 60)

    while t < now:
        job = "exp_" + k.hexid(10)
        tenant = rng.choice(tenants)
        rows = rng.randint(8_000, 2_400_000)
        sent[minute(t)] = sent.get(minute(t), 0) + 1
        if t < onset:
            got = t + timedelta(seconds=rng.uniform(1, 9))
            task = task_at(got)
            received[minute(got)] = received.get(minute(got), 0) + 1
            k.log(
                group,
                stream(task),
                got,
                logline(
                    got,
                    "INFO",
                    f"export_worker.consumer received job={job} tenant={tenant} scope=all_tickets "
                    "format=csv receive_count=1",
                ),
            )
            k.ct(
                got + timedelta(milliseconds=300),
                "sts.amazonaws.com",
                "AssumeRole",
                worker_ident(task),
                {"roleArn": writer_arn, "roleSessionName": f"export-{job}", "durationSeconds": 14400},
                {
                    "credentials": {
                        "accessKeyId": k.upper_id("ASIA", 16),
                        "expiration": (got + timedelta(hours=4)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    },
                    "assumedRoleUser": {
                        "assumedRoleId": f"{k.role_id(writer)}:export-{job}",
                        "arn": f"arn:aws:sts::{acct}:assumed-role/{writer}/export-{job}",
                    },
                },
                ip="10.40.12.77",
                agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux lang/python#3.11.8",
            )
            dur = timedelta(seconds=60 + rows / rng.uniform(900, 1400))
            done = got + dur
            busy.append((got, done))
            k.log(
                group,
                stream(task),
                got + timedelta(seconds=1),
                logline(
                    got + timedelta(seconds=1),
                    "INFO",
                    f"export_worker.export job={job} session ready, streaming tickets est_rows={rows}",
                ),
            )
            inflight.append((got, done))
            if done < now:
                deleted[minute(done)] = deleted.get(minute(done), 0) + 1
                k.log(
                    group,
                    stream(task),
                    done,
                    logline(
                        done,
                        "INFO",
                        f"export_worker.export job={job} tenant={tenant} complete rows={rows} "
                        f"parts={rows // 250_000 + 1} s3://helpline-tenant-exports/{tenant}/{job}/ elapsed={int(dur.total_seconds())}s",
                    ),
                )
        else:
            for attempt in range(3):
                got = t + timedelta(seconds=rng.uniform(1, 9)) + timedelta(minutes=10 * attempt)
                if got >= now:
                    break
                task = task_at(got)
                received[minute(got)] = received.get(minute(got), 0) + 1
                k.log(
                    group,
                    stream(task),
                    got,
                    logline(
                        got,
                        "INFO",
                        f"export_worker.consumer received job={job} tenant={tenant} scope=all_tickets "
                        f"format=csv receive_count={attempt + 1}",
                    ),
                )
                k.ct(
                    got + timedelta(milliseconds=250),
                    "sts.amazonaws.com",
                    "AssumeRole",
                    worker_ident(task),
                    {"roleArn": writer_arn, "roleSessionName": f"export-{job}", "durationSeconds": 14400},
                    None,
                    error=(
                        "ValidationError",
                        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
                    ),
                    ip="10.40.12.77",
                    agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux lang/python#3.11.8",
                )
                e = got + timedelta(milliseconds=310)
                k.log(
                    group,
                    stream(task),
                    e,
                    logline(
                        e,
                        "ERROR",
                        f"export_worker.consumer job={job} failed, leaving message for retry\n"
                        "Traceback (most recent call last):\n"
                        '  File "/app/export_worker/consumer.py", line 88, in handle\n'
                        "    session = self.sessions.for_tenant(job.tenant_id, hours=4)\n"
                        '  File "/app/export_worker/sessions.py", line 41, in for_tenant\n'
                        "    resp = self._sts.assume_role(\n"
                        '  File "/usr/local/lib/python3.11/site-packages/botocore/client.py", line 565, in _api_call\n'
                        "    return self._make_api_call(operation_name, kwargs)\n"
                        '  File "/usr/local/lib/python3.11/site-packages/botocore/client.py", line 1021, in '
                        "_make_api_call\n"
                        "    raise error_class(parsed_response, operation_name)\n"
                        "botocore.exceptions.ClientError: An error occurred (ValidationError) when calling the "
                        "AssumeRole operation: The requested DurationSeconds exceeds the MaxSessionDuration set for "
                        "this role.",
                    ),
                )
                inflight.append((got, got + timedelta(minutes=10)))
            moved = t + timedelta(minutes=30, seconds=rng.uniform(2, 12))
            if moved < now:
                dlq_moves.append(moved)
        t += timedelta(minutes=rng.uniform(2.5, 7.5))

    # --- metrics -----------------------------------------------------------------------------
    qd = {"QueueName": qname}
    dd = {"QueueName": dlq}
    ecs_d = {"ClusterName": cluster, "ServiceName": svc}
    n_min = int((now - start).total_seconds() // 60)
    first_dlq = min(dlq_moves) if dlq_moves else now
    for m in range(n_min):
        ts = start + timedelta(minutes=m)
        k.metric("AWS/SQS", "NumberOfMessagesSent", qd, ts, sent.get(m, 0))
        k.metric("AWS/SQS", "NumberOfMessagesReceived", qd, ts, received.get(m, 0))
        k.metric("AWS/SQS", "NumberOfMessagesDeleted", qd, ts, deleted.get(m, 0))
        k.metric("AWS/SQS", "NumberOfEmptyReceives", qd, ts, rng.randint(110, 124))
        nv = sum(1 for a, b in inflight if a <= ts < b)
        k.metric("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, ts, nv)
        k.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, ts, 0)
        ages = [(ts - a).total_seconds() for a, b in inflight if a <= ts < b]
        k.metric("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, ts, max(ages) if ages else 0, "Seconds")
        in_dlq = sum(1 for x in dlq_moves if x <= ts)
        k.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, ts, in_dlq)
        k.metric(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            dd,
            ts,
            (ts - first_dlq).total_seconds() + 1800 if in_dlq else 0,
            "Seconds",
        )
        running = sum(1 for a, b in busy if a <= ts < b)
        cpu = 4 + 27 * min(running, 3) + rng.uniform(-2, 2)
        if 24 <= m <= 47:
            cpu = 88 + rng.uniform(0, 8)
        k.metric("AWS/ECS", "CPUUtilization", ecs_d, ts, max(cpu, 1.5), "Percent")
        k.metric(
            "AWS/ECS",
            "MemoryUtilization",
            ecs_d,
            ts,
            22 + 14 * min(running, 3) + rng.uniform(-1, 1),
            "Percent",
        )

    # --- alarms ------------------------------------------------------------------------------
    dlq_alarm = k.alarm(
        "tenant-exports-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd,
        stat="Maximum",
        period=300,
        threshold=0,
        state="ALARM" if dlq_moves else "OK",
        state_time=first_dlq + timedelta(minutes=5) if dlq_moves else start,
        reason=f"Threshold Crossed: 1 out of the last 1 datapoints [1.0 ({first_dlq:%d/%m/%y %H:%M:%S})] was greater "
        "than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
        description="Export jobs are failing repeatedly and landing in the DLQ. Runbook: wiki/helpline/exports",
        topic=topic,
        configured=day - timedelta(days=140),
    )
    if dlq_moves:
        k.transition(dlq_alarm, first_dlq + timedelta(minutes=5), "OK", "ALARM", dlq_alarm["StateReason"])
    cpu_alarm = k.alarm(
        "export-worker-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        ecs_d,
        stat="Average",
        period=300,
        evals=2,
        threshold=85,
        state="OK",
        state_time=start + timedelta(minutes=50),
        description="export-worker CPU above 85% for 10 minutes",
        topic=topic,
        configured=day - timedelta(days=300),
    )
    k.transition(
        cpu_alarm,
        start + timedelta(minutes=35),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (85.0).",
    )
    k.transition(
        cpu_alarm,
        start + timedelta(minutes=50),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 2 datapoints [61.2] was not greater than the threshold (85.0).",
    )
    k.alarm(
        "tenant-exports-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        stat="Maximum",
        period=300,
        evals=3,
        threshold=7200,
        state="OK",
        state_time=day - timedelta(days=3),
        description="Export queue not draining",
        topic=topic,
        configured=day - timedelta(days=140),
    )
    api_d = {"LoadBalancer": f"app/helpline-web/{k.hexid(16)}"}
    k.alarm(
        "helpline-web-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        api_d,
        threshold=50,
        evals=3,
        state="OK",
        state_time=day - timedelta(days=1, hours=3),
        description="Web tier 5xx",
        topic=topic,
        configured=day - timedelta(days=400),
    )
    for m in range(0, n_min, 1):
        ts = start + timedelta(minutes=m)
        k.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", api_d, ts, rng.choice([0, 0, 0, 1, 2]))
        k.metric("AWS/ApplicationELB", "RequestCount", api_d, ts, rng.randint(2400, 3300))

    # --- changes and noise in CloudTrail -----------------------------------------------------
    gha = k.role_identity("github-actions-deploy", "GitHubActions")
    k.ct(
        deploy_at - timedelta(seconds=40),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {
            "family": svc,
            "taskRoleArn": f"arn:aws:iam::{acct}:role/{task_role}",
            "executionRoleArn": f"arn:aws:iam::{acct}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "2048",
            "memory": "4096",
            "containerDefinitions": [
                {
                    "name": svc,
                    "image": f"{acct}.dkr.ecr.us-east-1.amazonaws.com/{svc}:{version_new}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": k.arn("ecs", f"task-definition/{svc}:{new_rev}"),
                "family": svc,
                "revision": new_rev,
                "status": "ACTIVE",
            }
        },
        ip="52.23.11.80",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure",
    )
    k.ct(
        deploy_at,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {
            "cluster": cluster,
            "service": svc,
            "taskDefinition": f"{svc}:{new_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": svc,
                "taskDefinition": k.arn("ecs", f"task-definition/{svc}:{new_rev}"),
                "desiredCount": 2,
                "runningCount": 2,
            }
        },
        ip="52.23.11.80",
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure",
    )
    for task in tasks_new:
        first = deploy_at + timedelta(seconds=rng.randint(70, 110))
        k.log(
            group,
            stream(task),
            first,
            logline(
                first,
                "INFO",
                f"export_worker.main starting export-worker {version_new} (commit {k.hexid(7)}) "
                f"queue={qurl} concurrency=2",
            ),
        )
    for task in tasks_old:
        k.log(
            group,
            stream(task),
            start + timedelta(seconds=15),
            logline(start + timedelta(seconds=15), "INFO", "export_worker.consumer heartbeat ok"),
        )
        stop = deploy_at + timedelta(seconds=rng.randint(150, 200))
        k.log(
            group, stream(task), stop, logline(stop, "INFO", "export_worker.main SIGTERM received, draining")
        )

    tf = k.role_identity("terraform-apply", "gha-iam-baseline")
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0"
    )
    apply_at = onset - timedelta(seconds=rng.randint(20, 50))
    for i, role in enumerate(["support-readonly", writer, "billing-reporting", "export-worker-task"]):
        k.ct(
            apply_at - timedelta(minutes=3, seconds=10 - i),
            "iam.amazonaws.com",
            "GetRole",
            tf,
            {"roleName": role},
            None,
            read_only=True,
            ip="52.23.11.80",
            agent=tf_agent,
        )
    k.ct(
        apply_at,
        "iam.amazonaws.com",
        "UpdateRole",
        tf,
        {"roleName": "support-readonly", "maxSessionDuration": 3600},
        None,
        ip="52.23.11.80",
        agent=tf_agent,
    )
    culprit = k.ct(
        onset,
        "iam.amazonaws.com",
        "UpdateRole",
        tf,
        {"roleName": writer, "maxSessionDuration": 3600},
        None,
        ip="52.23.11.80",
        agent=tf_agent,
    )
    k.ct(
        onset + timedelta(seconds=1),
        "iam.amazonaws.com",
        "UpdateRole",
        tf,
        {"roleName": "billing-reporting", "maxSessionDuration": 3600},
        None,
        ip="52.23.11.80",
        agent=tf_agent,
    )
    for role in ["support-readonly", writer, "billing-reporting"]:
        k.ct(
            onset + timedelta(seconds=3),
            "iam.amazonaws.com",
            "TagRole",
            tf,
            {"roleName": role, "tags": [{"key": "baseline", "value": "iam-2026q"}]},
            None,
            ip="52.23.11.80",
            agent=tf_agent,
        )
    # a console user rotating their own access key, SSM and KMS noise
    dev = k.role_identity("AWSReservedSSO_PowerUser_91ab2c", "dmitri.k@helpline.example")
    k.ct(
        start + timedelta(minutes=rng.randint(20, 60)),
        "ssm.amazonaws.com",
        "PutParameter",
        dev,
        {"name": "/helpline/web/FEATURE_BULK_MACROS", "type": "String", "overwrite": True},
        {"version": rng.randint(3, 12), "tier": "Standard"},
        ip="198.51.100.23",
        agent="aws-internal/3 aws-sdk-java/1.12.652",
    )
    for _ in range(rng.randint(6, 10)):
        tt = start + timedelta(minutes=rng.uniform(0, (now - start).total_seconds() / 60))
        k.ct(
            tt,
            "kms.amazonaws.com",
            "Decrypt",
            k.role_identity("helpline-web-task", k.hexid(32)),
            {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
            None,
            read_only=True,
            ip="10.40.3.18",
        )
    k.readonly_noise(
        start,
        now,
        rng.randint(40, 60),
        [
            ("ecs.amazonaws.com", "DescribeServices"),
            ("sqs.amazonaws.com", "ListQueues"),
            ("iam.amazonaws.com", "ListRoles"),
            ("cloudwatch.amazonaws.com", "DescribeAlarms"),
            ("ec2.amazonaws.com", "DescribeInstances"),
            ("iam.amazonaws.com", "GetAccountAuthorizationDetails"),
            ("logs.amazonaws.com", "DescribeLogGroups"),
        ],
    )

    # --- resources ---------------------------------------------------------------------------
    trust_task = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    trust_writer = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{acct}:role/{task_role}"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    }
    created = day - timedelta(days=500)

    def add_role(name: str, trust: dict[str, Any], max_s: int, desc: str, used: Any) -> None:
        k.resource(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": name,
                "RoleId": k.role_id(name),
                "Arn": f"arn:aws:iam::{acct}:role/{name}",
                "CreateDate": iso(created),
                "AssumeRolePolicyDocument": json.dumps(trust),
                "Description": desc,
                "MaxSessionDuration": max_s,
                "Tags": [{"Key": "baseline", "Value": "iam-2026q"}] if max_s == 3600 else [],
                "RoleLastUsed": {"LastUsedDate": iso(used), "Region": "us-east-1"},
            },
        )

    add_role(
        writer,
        trust_writer,
        3600,
        "Scoped per-tenant writer for ticket exports",
        onset - timedelta(minutes=4),
    )
    add_role(task_role, trust_task, 3600, "export-worker ECS task role", now - timedelta(minutes=1))
    add_role("support-readonly", trust_writer, 3600, "Support engineers read-only", now - timedelta(hours=2))
    add_role("billing-reporting", trust_task, 3600, "Nightly billing reports", day - timedelta(hours=9))
    k.resource(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": writer,
            "PolicyName": "tenant-export-write",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                        "Resource": "arn:aws:s3:::helpline-tenant-exports/${aws:PrincipalTag/tenant}/*",
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["dynamodb:Query"],
                        "Resource": f"arn:aws:dynamodb:us-east-1:{acct}:table/tickets",
                    },
                ],
            },
        },
    )
    k.resource(
        "ecs",
        "Cluster",
        {
            "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
            "clusterName": cluster,
            "status": "ACTIVE",
            "runningTasksCount": 9,
            "activeServicesCount": 4,
        },
    )
    k.resource(
        "ecs",
        "Service",
        {
            "serviceArn": k.arn("ecs", f"service/{cluster}/{svc}"),
            "serviceName": svc,
            "clusterArn": k.arn("ecs", f"cluster/{cluster}"),
            "status": "ACTIVE",
            "desiredCount": 2,
            "runningCount": 2,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": k.arn("ecs", f"task-definition/{svc}:{new_rev}"),
            "deployments": [
                {
                    "id": "ecs-svc/" + str(rng.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": k.arn("ecs", f"task-definition/{svc}:{new_rev}"),
                    "desiredCount": 2,
                    "runningCount": 2,
                    "createdAt": iso(deploy_at),
                    "updatedAt": iso(deploy_at + timedelta(minutes=4)),
                    "rolloutState": "COMPLETED",
                }
            ],
            "createdAt": iso(created),
        },
    )
    k.resource(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": k.arn("ecs", f"task-definition/{svc}:{new_rev}"),
            "family": svc,
            "revision": new_rev,
            "taskRoleArn": f"arn:aws:iam::{acct}:role/{task_role}",
            "networkMode": "awsvpc",
            "status": "ACTIVE",
            "cpu": "2048",
            "memory": "4096",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": svc,
                    "image": f"{acct}.dkr.ecr.us-east-1.amazonaws.com/{svc}:{version_new}",
                    "essential": True,
                    "environment": [
                        {"name": "EXPORT_QUEUE_URL", "value": qurl},
                        {"name": "TENANT_WRITER_ROLE_ARN", "value": writer_arn},
                        {"name": "EXPORT_SESSION_HOURS", "value": "4"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group,
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": svc,
                        },
                    },
                }
            ],
        },
    )
    qarn = k.arn("sqs", qname)
    k.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": qurl,
            "Attributes": {
                "QueueArn": qarn,
                "VisibilityTimeout": "600",
                "MessageRetentionPeriod": "345600",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": k.arn("sqs", dlq), "maxReceiveCount": 3}),
                "ReceiveMessageWaitTimeSeconds": "20",
                "ApproximateNumberOfMessages": "0",
            },
            "Tags": {"team": "exports"},
        },
    )
    k.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": dlq_url,
            "Attributes": {
                "QueueArn": k.arn("sqs", dlq),
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "ApproximateNumberOfMessages": str(len(dlq_moves)),
            },
            "Tags": {"team": "exports"},
        },
    )
    k.resource(
        "logs",
        "LogGroup",
        {
            "logGroupName": group,
            "creationTime": int(created.timestamp() * 1000),
            "retentionInDays": 30,
            "arn": k.arn("logs", f"log-group:{group}:*"),
        },
    )
    k.resource("s3", "Bucket", {"Name": "helpline-tenant-exports", "CreationDate": iso(created)})

    local = onset.astimezone(TZ) + timedelta(minutes=rng.randint(8, 20))
    hour = local.strftime("%-I:%M")
    question = (
        f"Several customers (Acme Logistics first) say their 'Export all tickets' download has been stuck on "
        f"'processing' since around {hour} this morning. Exports deployed a small worker fix earlier today, "
        "could that be it? Can someone take a look?"
    )
    return k.bundle(
        TITLE,
        start,
        end,
        now,
        {"question": question, "timezone": "America/New_York"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": writer,
                "category": "change",
                "failure_mode": "role-max-session-duration-reduced",
                "event_id": culprit,
            },
            "also_accept": [writer_arn],
            "actions": ["rollback"],
            "chain": [writer, svc, qname, dlq],
        },
    )
