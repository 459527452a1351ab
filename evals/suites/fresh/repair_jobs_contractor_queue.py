"""Contractors stop receiving new repair jobs; tenants can still log repairs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zh as k

NAME = "repair-jobs-not-reaching-contractors"
TITLE = "Contractors not getting new repair jobs since mid-morning; tenants can still log repairs"
SUMMARY = (
    "A queue-policy rewrite in an infrastructure apply stops SNS from delivering to the contractor "
    "dispatch queue; the worker is idle, not failing."
)

TZ_OFFSET = -4.0  # America/New_York in summer


def _clock(t: datetime) -> str:
    local = t - timedelta(hours=4)
    local = local - timedelta(minutes=local.minute % 5, seconds=local.second)
    return f"{local.hour % 12 or 12}:{local.minute:02d}" + ("am" if local.hour < 12 else "pm")


def build(seed: int) -> Bundle:
    kit = k.Kit(NAME, seed, "us-east-1")
    rng = kit.rng
    day = datetime(2024, 5, 6, tzinfo=UTC) + timedelta(days=rng.choice([0, 1, 2, 3, 7, 8, 9, 14, 15, 16]))
    onset = day + timedelta(hours=14, minutes=rng.randint(5, 75), seconds=rng.randint(0, 59))
    start = k.floor_min(onset - timedelta(hours=4, minutes=rng.randint(5, 25)))
    now = k.floor_min(onset + timedelta(minutes=rng.randint(95, 130)))
    t0 = k.floor_min(onset)
    acct = kit.account

    # --- resources -------------------------------------------------------------------------------
    azs = ["a", "b", "c"]
    vpc_id, subnets = k.vpc_and_subnets(kit, "keyhold-prod", 40, azs)
    stack = k.ecs_alb_service(
        kit,
        cluster="keyhold-prod",
        service="repairs-api",
        lb_name="keyhold-public",
        vpc_id=vpc_id,
        subnets=subnets,
        azs=azs,
        cidr2=40,
        tasks=3,
        image=f"{acct}.dkr.ecr.us-east-1.amazonaws.com/repairs-api:2024.{rng.randint(18, 19)}.{rng.randint(1, 9)}-{kit.hex(7)}",
        port=3000,
        created=start - timedelta(days=400),
        deployed=start - timedelta(days=2, hours=rng.randint(1, 8)),
        env={"NODE_ENV": "production", "REPAIR_TOPIC_ARN": kit.arn("sns", "repair-requests")},
        revision=rng.randint(120, 180),
    )
    topic_arn = kit.arn("sns", "repair-requests")
    prio_arn = kit.arn("sns", "repair-requests-priority")
    q = {}
    for name in ("contractor-dispatch", "contractor-dispatch-dlq", "tenant-updates", "tenant-updates-dlq"):
        q[name] = {
            "url": f"https://sqs.us-east-1.amazonaws.com/{acct}/{name}",
            "arn": kit.arn("sqs", name),
        }

    def topic_policy(queue_arn: str) -> dict[str, Any]:
        return {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowRepairRequestsTopic",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": queue_arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }

    new_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowRepairRequestTopics",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": q["contractor-dispatch"]["arn"],
                "Condition": {
                    "ArnLike": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{acct}:repair-requests-*"}
                },
            }
        ],
    }
    created_q = start - timedelta(days=500)

    def queue_item(
        name: str,
        vis: int,
        policy: dict[str, Any] | None,
        redrive: str | None,
        modified: datetime,
        retention: int = 345600,
    ) -> None:
        attrs = {
            "QueueArn": q[name]["arn"],
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created_q.timestamp())),
            "LastModifiedTimestamp": str(int(modified.timestamp())),
            "VisibilityTimeout": str(vis),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": str(retention),
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if policy is not None:
            attrs["Policy"] = json.dumps(policy, separators=(",", ":"))
        if redrive:
            attrs["RedrivePolicy"] = redrive
        kit.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": q[name]["url"],
                "Attributes": attrs,
                "Tags": {"service": name.replace("-dlq", ""), "team": "field-ops", "managed-by": "terraform"},
            },
        )

    queue_item(
        "contractor-dispatch",
        180,
        new_policy,
        json.dumps(
            {"deadLetterTargetArn": q["contractor-dispatch-dlq"]["arn"], "maxReceiveCount": 5},
            separators=(",", ":"),
        ),
        onset,
    )
    queue_item("contractor-dispatch-dlq", 30, None, None, created_q, 1209600)
    queue_item(
        "tenant-updates",
        60,
        topic_policy(q["tenant-updates"]["arn"]),
        json.dumps(
            {"deadLetterTargetArn": q["tenant-updates-dlq"]["arn"], "maxReceiveCount": 5},
            separators=(",", ":"),
        ),
        start - timedelta(days=93),
    )
    queue_item("tenant-updates-dlq", 30, None, None, onset + timedelta(seconds=2), 1209600)
    kit.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": acct,
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                                "numMaxDelayRetries": 0,
                                "numNoDelayRetries": 0,
                                "numMinDelayRetries": 0,
                                "backoffFunction": "linear",
                            },
                            "disableSubscriptionOverrides": False,
                            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                        }
                    },
                    separators=(",", ":"),
                ),
                "Policy": json.dumps(
                    {
                        "Version": "2008-10-17",
                        "Id": "__default_policy_ID",
                        "Statement": [
                            {
                                "Sid": "__default_statement_ID",
                                "Effect": "Allow",
                                "Principal": {"AWS": "*"},
                                "Action": [
                                    "SNS:GetTopicAttributes",
                                    "SNS:SetTopicAttributes",
                                    "SNS:AddPermission",
                                    "SNS:RemovePermission",
                                    "SNS:DeleteTopic",
                                    "SNS:Subscribe",
                                    "SNS:ListSubscriptionsByTopic",
                                    "SNS:Publish",
                                ],
                                "Resource": topic_arn,
                                "Condition": {"StringEquals": {"AWS:SourceOwner": acct}},
                            }
                        ],
                    },
                    separators=(",", ":"),
                ),
            },
        },
    )
    kit.res(
        "sns",
        "Topic",
        {
            "TopicArn": prio_arn,
            "Attributes": {
                "TopicArn": prio_arn,
                "Owner": acct,
                "DisplayName": "",
                "SubscriptionsConfirmed": "1",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    subs = {}
    for qn, tarn in (
        ("contractor-dispatch", topic_arn),
        ("tenant-updates", topic_arn),
        ("contractor-dispatch", prio_arn),
    ):
        sarn = f"{tarn}:{kit.uuid()}"
        subs[(qn, tarn)] = sarn
        kit.res(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": sarn,
                "TopicArn": tarn,
                "Protocol": "sqs",
                "Endpoint": q[qn]["arn"],
                "Owner": acct,
                "Attributes": {
                    "RawMessageDelivery": "true",
                    "PendingConfirmation": "false",
                    "ConfirmationWasAuthenticated": "true",
                    "SubscriptionPrincipal": f"arn:aws:iam::{acct}:role/gha-terraform-apply",
                },
            },
        )

    fn: dict[str, dict[str, Any]] = {}
    for fname, qn, mem, desc in (
        (
            "contractor-dispatch-worker",
            "contractor-dispatch",
            512,
            "Posts new repair jobs to the contractor job board",
        ),
        (
            "tenant-updates-notifier",
            "tenant-updates",
            256,
            "Sends tenants status updates for their repair requests",
        ),
    ):
        farn = kit.arn("lambda", f"function:{fname}")
        ver = rng.randint(30, 80)
        fn[fname] = {"arn": farn, "mem": mem, "ver": ver, "queue": qn, "group": f"/aws/lambda/{fname}"}
        kit.res(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": fname,
                "FunctionArn": farn,
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{fname}-role",
                "Handler": "dist/handler.handler",
                "CodeSize": rng.randint(900_000, 3_000_000),
                "Description": desc,
                "Timeout": 30,
                "MemorySize": mem,
                "LastModified": (
                    onset - timedelta(minutes=9)
                    if fname.startswith("contractor")
                    else start - timedelta(days=12)
                ).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": kit.hex(43) + "=",
                "Version": "$LATEST",
                "Environment": {
                    "Variables": {"NODE_OPTIONS": "--enable-source-maps", "POWERTOOLS_SERVICE_NAME": fname}
                },
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": kit.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{fname}"},
            },
        )
        kit.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": kit.uuid(),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": q[qn]["arn"],
                "FunctionArn": f"{farn}:live",
                "LastModified": k.iso(start - timedelta(days=200)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            },
        )
    kit.res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": "gha-terraform-apply",
            "RoleId": kit.upper_id("AROA", 17),
            "Arn": f"arn:aws:iam::{acct}:role/gha-terraform-apply",
            "CreateDate": k.iso(start - timedelta(days=700)),
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D",
            "MaxSessionDuration": 3600,
        },
    )

    # --- traffic and metrics ------------------------------------------------------------------------
    deploy_t = onset - timedelta(minutes=9, seconds=rng.randint(0, 50))
    scale_t = onset + timedelta(minutes=rng.randint(11, 16))
    base = rng.uniform(3.0, 4.5)
    ns_dims = {"TopicName": "repair-requests"}
    w_stream_old = k.lambda_stream(kit, start)
    streams: dict[str, list[str]] = {
        "contractor-dispatch-worker": [
            f"{start:%Y/%m/%d}/[{fn['contractor-dispatch-worker']['ver']}]{kit.hex(32)}" for _ in range(2)
        ],
        "tenant-updates-notifier": [
            f"{start:%Y/%m/%d}/[{fn['tenant-updates-notifier']['ver']}]{kit.hex(32)}" for _ in range(2)
        ],
    }
    new_worker_streams = [
        f"{start:%Y/%m/%d}/[{fn['contractor-dispatch-worker']['ver'] + 1}]{kit.hex(32)}" for _ in range(2)
    ]
    del w_stream_old
    task_streams = [f"ecs/repairs-api/{t['id']}" for t in stack["tasks"]]
    new_task_id = kit.hex(32)
    worker_errors: dict[datetime, float] = {}
    dispatch_age: dict[datetime, float] = {}
    tg_5xx: dict[datetime, float] = {}
    contractors = [f"CTR-{rng.randint(1000, 1999)}" for _ in range(40)]
    trades = [
        "plumbing",
        "electrical",
        "heating",
        "locksmith",
        "appliance",
        "roofing",
        "pest-control",
        "general",
    ]
    for t in k.minutes(start, now):
        load = k.daily(t, TZ_OFFSET, night=0.05, peak_hour=13.0)
        n = k.poisson(rng, base * load)
        after = t >= t0
        hosts = 4 if t >= scale_t + timedelta(minutes=2) else 3
        # ALB
        req = k.poisson(rng, n * 14 + 55 * load + 4)
        c4 = k.poisson(rng, req * 0.012)
        c5 = 1 if rng.random() < 0.004 else 0
        lbd = {"LoadBalancer": stack["lb_dim"]}
        tgd = {"LoadBalancer": stack["lb_dim"], "TargetGroup": stack["tg_dim"]}
        kit.put("AWS/ApplicationELB", "RequestCount", lbd, t, "Count", req)
        for dims in (tgd,):
            kit.put("AWS/ApplicationELB", "RequestCount", dims, t, "Count", req)
            kit.put("AWS/ApplicationELB", "HTTPCode_Target_2XX_Count", dims, t, "Count", req - c4 - c5)
            if c4:
                kit.put("AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", dims, t, "Count", c4)
            if c5:
                kit.put("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", dims, t, "Count", c5)
            p50 = rng.uniform(0.028, 0.04)
            kit.put_dist(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dims,
                t,
                "Seconds",
                [p50, p50 * 2.2, p50 * 5.5, p50 * 14],
                [max(1, req * 0.6), req * 0.3, req * 0.09, max(1, req * 0.01)],
            )
        if c5:
            tg_5xx[t] = c5
        kit.put("AWS/ApplicationELB", "HealthyHostCount", tgd, t, "Count", hosts)
        kit.put("AWS/ApplicationELB", "UnHealthyHostCount", tgd, t, "Count", 0)
        kit.put(
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": "keyhold-prod", "ServiceName": "repairs-api"},
            t,
            "Percent",
            k.jitter(rng, 9 + 22 * load * 3 / hosts, 0.08),
        )
        kit.put(
            "AWS/ECS",
            "MemoryUtilization",
            {"ClusterName": "keyhold-prod", "ServiceName": "repairs-api"},
            t,
            "Percent",
            k.jitter(rng, 46, 0.02),
        )
        # SNS
        if n:
            kit.put("AWS/SNS", "NumberOfMessagesPublished", ns_dims, t, "Count", n)
            kit.put("AWS/SNS", "NumberOfNotificationsDelivered", ns_dims, t, "Count", n if after else 2 * n)
            if after:
                kit.put("AWS/SNS", "NumberOfNotificationsFailed", ns_dims, t, "Count", n)
            kit.put("AWS/SNS", "PublishSize", ns_dims, t, "Bytes", rng.randint(1100, 1900))
        # SQS
        for qn in ("contractor-dispatch", "tenant-updates"):
            sent = 0 if (after and qn == "contractor-dispatch") else n
            dims = {"QueueName": qn}
            kit.put("AWS/SQS", "NumberOfMessagesSent", dims, t, "Count", sent)
            kit.put("AWS/SQS", "NumberOfMessagesReceived", dims, t, "Count", sent)
            kit.put("AWS/SQS", "NumberOfMessagesDeleted", dims, t, "Count", sent)
            kit.put("AWS/SQS", "NumberOfEmptyReceives", dims, t, "Count", max(0, k.poisson(rng, 15) - sent))
            kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, t, "Count", 0)
            kit.put(
                "AWS/SQS",
                "ApproximateNumberOfMessagesNotVisible",
                dims,
                t,
                "Count",
                min(sent, rng.randint(0, 2)),
            )
            age = rng.uniform(0.5, 3.0) if sent else 0.0
            kit.put("AWS/SQS", "ApproximateAgeOfOldestMessage", dims, t, "Seconds", round(age))
            if sent:
                kit.put("AWS/SQS", "SentMessageSize", dims, t, "Bytes", rng.randint(1100, 1900))
            if qn == "contractor-dispatch":
                dispatch_age[t] = round(age)
        if t.minute % 5 == 0:
            for qn in ("contractor-dispatch-dlq", "tenant-updates-dlq"):
                kit.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": qn}, t, "Count", 0)
                kit.put("AWS/SQS", "NumberOfMessagesSent", {"QueueName": qn}, t, "Count", 0)
        # Lambda
        for fname in ("contractor-dispatch-worker", "tenant-updates-notifier"):
            cnt = 0 if (after and fname.startswith("contractor")) else n
            if not cnt:
                continue
            dims = {"FunctionName": fname}
            slow = fname.startswith("contractor")
            durs = [rng.uniform(380, 920) if slow else rng.uniform(60, 190) for _ in range(cnt)]
            errs = 0
            kit.put("AWS/Lambda", "Invocations", dims, t, "Count", cnt)
            kit.put("AWS/Lambda", "Errors", dims, t, "Count", errs)
            kit.put("AWS/Lambda", "Throttles", dims, t, "Count", 0)
            kit.put_dist(
                "AWS/Lambda", "Duration", dims, t, "Milliseconds", [round(d, 2) for d in durs], [1.0] * cnt
            )
            kit.put("AWS/Lambda", "ConcurrentExecutions", dims, t, "Count", min(cnt, rng.randint(1, 2)))
            if slow:
                worker_errors[t] = errs
            # logs for each invocation
            group = fn[fname]["group"]
            for d in durs:
                ts = t + timedelta(seconds=rng.uniform(0, 58))
                repair = f"RR-{rng.randint(2_100_000, 2_999_999)}"
                if slow:
                    pool = new_worker_streams if ts >= deploy_t + timedelta(seconds=20) else streams[fname]
                    stream = rng.choice(pool)
                    lines = []
                    if rng.random() < 0.03:
                        lines.append(
                            json.dumps(
                                {
                                    "level": "WARN",
                                    "timestamp": k.iso_ms(ts),
                                    "service": fname,
                                    "message": "job board responded 429, retrying",
                                    "attempt": 1,
                                    "retryInMs": 400,
                                    "xray_trace_id": f"1-{kit.hex(8)}-{kit.hex(24)}",
                                }
                            )
                        )
                    lines.append(
                        json.dumps(
                            {
                                "level": "INFO",
                                "timestamp": k.iso_ms(ts),
                                "service": fname,
                                "message": "job dispatched",
                                "repairId": repair,
                                "contractorId": rng.choice(contractors),
                                "trade": rng.choice(trades),
                                "jobBoardStatus": 201,
                                "function_request_id": "{rid}",
                            }
                        )
                    )
                    mem_used = rng.randint(118, 131)
                else:
                    stream = rng.choice(streams[fname])
                    lines = [
                        json.dumps(
                            {
                                "level": "INFO",
                                "timestamp": k.iso_ms(ts),
                                "service": fname,
                                "message": "tenant notified",
                                "repairId": repair,
                                "channel": rng.choice(["sms", "email", "push"]),
                                "status": "requested",
                                "function_request_id": "{rid}",
                            }
                        )
                    ]
                    mem_used = rng.randint(88, 97)
                k.lambda_report(kit, group, stream, ts, d, fn[fname]["mem"], mem_used, lines)
            # publisher logs
        for _ in range(n):
            ts = t + timedelta(seconds=rng.uniform(0, 58))
            i = rng.randrange(hosts)
            stream = task_streams[i] if i < 3 else f"ecs/repairs-api/{new_task_id}"
            host = f"ip-10-40-{rng.randint(16, 60)}-{rng.randint(4, 250)}.ec2.internal"
            rid = f"req-{kit.hex(6)}"
            kit.log(
                stack["log_group"],
                stream,
                ts,
                json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": host,
                        "reqId": rid,
                        "msg": "published repair.requested",
                        "repairId": f"RR-{rng.randint(2_100_000, 2_999_999)}",
                        "topic": "repair-requests",
                        "messageId": kit.uuid(),
                    },
                    separators=(",", ":"),
                ),
            )
            kit.log(
                stack["log_group"],
                stream,
                ts + timedelta(milliseconds=rng.randint(30, 90)),
                json.dumps(
                    {
                        "level": 30,
                        "time": k.ms(ts) + 60,
                        "pid": 1,
                        "hostname": host,
                        "reqId": rid,
                        "res": {"statusCode": 201},
                        "responseTime": round(rng.uniform(40, 140), 1),
                        "msg": "request completed",
                    },
                    separators=(",", ":"),
                ),
            )
        if rng.random() < 0.02:
            ts = t + timedelta(seconds=rng.uniform(0, 58))
            kit.log(
                stack["log_group"],
                rng.choice(task_streams),
                ts,
                json.dumps(
                    {
                        "level": 40,
                        "time": k.ms(ts),
                        "pid": 1,
                        "hostname": "ip-10-40-17-88.ec2.internal",
                        "msg": "slow query",
                        "query": "listRepairsForProperty",
                        "durationMs": rng.randint(900, 1900),
                    },
                    separators=(",", ":"),
                ),
            )

    # --- ECS / target health events -----------------------------------------------------------------
    svc_arn = stack["service_arn"]
    for t in k.minutes(start, now, 360):
        kit.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": kit.uuid(),
                    "createdAt": k.iso(t + timedelta(minutes=7)),
                    "message": "(service repairs-api) has reached a steady state.",
                },
            },
        )
    kit.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": kit.uuid(),
                "createdAt": k.iso(scale_t + timedelta(seconds=6)),
                "message": f"(service repairs-api) has started 1 tasks: (task {new_task_id}).",
            },
        },
    )
    kit.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": kit.uuid(),
                "createdAt": k.iso(scale_t + timedelta(seconds=71)),
                "message": f"(service repairs-api) registered 1 targets in (target-group {stack['tg_arn']})",
            },
        },
    )
    kit.event(
        "ecs",
        {
            "service_arn": svc_arn,
            "event": {
                "id": kit.uuid(),
                "createdAt": k.iso(scale_t + timedelta(minutes=3)),
                "message": "(service repairs-api) has reached a steady state.",
            },
        },
    )
    for task in stack["tasks"]:
        kit.event(
            "target_health",
            {
                "target_group_arn": stack["tg_arn"],
                "target": {"Id": task["ip"], "Port": 3000, "AvailabilityZone": task["az"]},
                "health": {"State": "healthy"},
                "timestamp": k.iso(task["started"] + timedelta(seconds=50)),
            },
        )
        kit.res("ecs", "Task", k.ecs_task_item(kit, stack, task, "512", "1024"))
    new_ip = f"10.40.{rng.randint(16, 30)}.{rng.randint(4, 250)}"
    kit.event(
        "target_health",
        {
            "target_group_arn": stack["tg_arn"],
            "target": {"Id": new_ip, "Port": 3000, "AvailabilityZone": "us-east-1a"},
            "health": {
                "State": "initial",
                "Reason": "Elb.RegistrationInProgress",
                "Description": "Target registration is in progress",
            },
            "timestamp": k.iso(scale_t + timedelta(seconds=71)),
        },
    )
    kit.event(
        "target_health",
        {
            "target_group_arn": stack["tg_arn"],
            "target": {"Id": new_ip, "Port": 3000, "AvailabilityZone": "us-east-1a"},
            "health": {"State": "healthy"},
            "timestamp": k.iso(scale_t + timedelta(seconds=118)),
        },
    )
    svc_item = dict(stack["service_item"])
    svc_item["desiredCount"] = 4
    svc_item["runningCount"] = 4
    kit.res("ecs", "Service", svc_item)

    # --- CloudTrail -----------------------------------------------------------------------------------
    tf = k.ci(kit, "gha-terraform-apply", "terraform")
    deployer = k.ci(kit, "gha-deploy-lambdas", "cli")
    ops = k.sso(
        kit,
        rng.choice(["dana.whitfield", "marcus.oyelaran", "priya.raman"]) + "@keyhold.io",
        "PlatformEngineer",
    )
    dev = k.sso(kit, rng.choice(["leo.brandt", "hana.sato", "omar.haddad"]) + "@keyhold.io", "Developer")
    dd = k.service_role(
        kit,
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        "3.233.146.27",
        "Datadog/1.0 aws-sdk-go/1.51.0 (go1.22.2; linux; amd64)",
    )
    ecs_task = k.service_role(
        kit,
        "repairs-api-task",
        kit.hex(32),
        "10.40.22.17",
        "aws-sdk-nodejs/3.556.0 linux/v20.12.2 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/secrets-manager#3.556.0",
    )
    routine_mix: list[tuple[k.Who, list[k.Template]]] = [
        (
            dd,
            [
                ("monitoring.amazonaws.com", "GetMetricData", True, lambda: None),
                ("sqs.amazonaws.com", "ListQueues", True, lambda: {"maxResults": 1000}),
                ("lambda.amazonaws.com", "ListFunctions20150331", True, lambda: None),
                (
                    "ecs.amazonaws.com",
                    "DescribeServices",
                    True,
                    lambda: {"cluster": "keyhold-prod", "services": ["repairs-api"]},
                ),
                (
                    "elasticloadbalancing.amazonaws.com",
                    "DescribeTargetHealth",
                    True,
                    lambda: {"targetGroupArn": stack["tg_arn"]},
                ),
            ],
        ),
        (
            dev,
            [
                (
                    "logs.amazonaws.com",
                    "FilterLogEvents",
                    True,
                    lambda: {
                        "logGroupName": "/ecs/repairs-api",
                        "startTime": k.ms(start),
                        "filterPattern": '"level":50',
                    },
                ),
                (
                    "lambda.amazonaws.com",
                    "GetFunction20150331v2",
                    True,
                    lambda: {"functionName": "tenant-updates-notifier"},
                ),
                ("cloudwatch.amazonaws.com", "DescribeAlarms", True, lambda: {"alarmNamePrefix": "repairs"}),
            ],
        ),
        (
            ecs_task,
            [
                (
                    "secretsmanager.amazonaws.com",
                    "GetSecretValue",
                    True,
                    lambda: {
                        "secretId": f"arn:aws:secretsmanager:us-east-1:{acct}:secret:prod/repairs-api/db-AbC1x2"
                    },
                ),
                ("kms.amazonaws.com", "Decrypt", True, lambda: {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
            ],
        ),
        (
            ops,
            [
                (
                    "ecs.amazonaws.com",
                    "ListTasks",
                    True,
                    lambda: {"cluster": "keyhold-prod", "serviceName": "repairs-api"},
                ),
                (
                    "ec2.amazonaws.com",
                    "DescribeSecurityGroups",
                    True,
                    lambda: {"groupSet": {"items": [{"groupId": stack["svc_sg"]}]}},
                ),
            ],
        ),
    ]
    k.routine(kit, start, now, 46, routine_mix)
    # Lambda deploy (before the onset)
    zip_key = f"contractor-dispatch-worker/{kit.hex(40)}.zip"
    k.ct(
        kit,
        deployer,
        deploy_t - timedelta(seconds=14),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        {
            "functionName": "contractor-dispatch-worker",
            "s3Bucket": f"keyhold-artifacts-{acct}",
            "s3Key": zip_key,
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "contractor-dispatch-worker",
            "functionArn": fn["contractor-dispatch-worker"]["arn"],
            "runtime": "nodejs20.x",
            "codeSha256": kit.hex(43) + "=",
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
        },
    )
    k.ct(
        kit,
        deployer,
        deploy_t - timedelta(seconds=3),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        {
            "functionName": "contractor-dispatch-worker",
            "description": f"build {rng.randint(4000, 4999)} {kit.hex(7)}",
        },
        {
            "functionName": "contractor-dispatch-worker",
            "version": str(fn["contractor-dispatch-worker"]["ver"] + 1),
            "state": "Active",
        },
    )
    k.ct(
        kit,
        deployer,
        deploy_t,
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        {
            "functionName": "contractor-dispatch-worker",
            "name": "live",
            "functionVersion": str(fn["contractor-dispatch-worker"]["ver"] + 1),
        },
        {
            "aliasArn": fn["contractor-dispatch-worker"]["arn"] + ":live",
            "name": "live",
            "functionVersion": str(fn["contractor-dispatch-worker"]["ver"] + 1),
            "revisionId": kit.uuid(),
        },
    )
    # Terraform apply: refresh reads, new topic, subscription, queue policy, DLQ retention
    ta = onset - timedelta(seconds=rng.randint(70, 110))
    refresh: list[tuple[str, str, dict[str, Any]]] = [
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": q["contractor-dispatch"]["url"], "attributeNames": ["All"]},
        ),
        (
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": q["tenant-updates"]["url"], "attributeNames": ["All"]},
        ),
        ("sqs.amazonaws.com", "ListQueueTags", {"queueUrl": q["contractor-dispatch"]["url"]}),
        ("sns.amazonaws.com", "GetTopicAttributes", {"topicArn": topic_arn}),
        (
            "sns.amazonaws.com",
            "GetSubscriptionAttributes",
            {"subscriptionArn": subs[("contractor-dispatch", topic_arn)]},
        ),
        (
            "sns.amazonaws.com",
            "GetSubscriptionAttributes",
            {"subscriptionArn": subs[("tenant-updates", topic_arn)]},
        ),
    ]
    for i, (src, nm, prm) in enumerate(refresh):
        k.ct(kit, tf, ta + timedelta(seconds=2 * i), src, nm, prm, None, True)
    k.ct(
        kit,
        tf,
        onset - timedelta(seconds=31),
        "sns.amazonaws.com",
        "CreateTopic",
        {
            "name": "repair-requests-priority",
            "attributes": {},
            "tags": [{"key": "team", "value": "field-ops"}],
        },
        {"topicArn": prio_arn},
    )
    k.ct(
        kit,
        tf,
        onset - timedelta(seconds=29),
        "sns.amazonaws.com",
        "SetTopicAttributes",
        {
            "topicArn": prio_arn,
            "attributeName": "Policy",
            "attributeValue": '{"Version":"2008-10-17","Id":"__default_policy_ID"}',
        },
    )
    culprit = k.ct(
        kit,
        tf,
        onset,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {
            "queueUrl": q["contractor-dispatch"]["url"],
            "attributes": {"Policy": json.dumps(new_policy, separators=(",", ":"))},
        },
    )
    k.ct(
        kit,
        tf,
        onset + timedelta(seconds=2),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": q["tenant-updates-dlq"]["url"], "attributes": {"MessageRetentionPeriod": "1209600"}},
    )
    k.ct(
        kit,
        tf,
        onset + timedelta(seconds=4),
        "sns.amazonaws.com",
        "Subscribe",
        {
            "topicArn": prio_arn,
            "protocol": "sqs",
            "endpoint": q["contractor-dispatch"]["arn"],
            "attributes": {"RawMessageDelivery": "true"},
            "returnSubscriptionArn": True,
        },
        {"subscriptionArn": subs[("contractor-dispatch", prio_arn)]},
    )
    # later: repairs-api desired count 3 -> 4 by an engineer
    k.ct(
        kit,
        ops,
        scale_t,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": "keyhold-prod", "service": "repairs-api", "desiredCount": 4},
        {
            "service": {
                "serviceName": "repairs-api",
                "serviceArn": svc_arn,
                "desiredCount": 4,
                "runningCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    k.ct(
        kit,
        ops,
        scale_t - timedelta(minutes=2),
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": "keyhold-prod", "services": ["repairs-api"], "include": ["TAGS"]},
        None,
        True,
    )

    # --- alarms ------------------------------------------------------------------------------------
    topic_alerts = kit.arn("sns", "keyhold-oncall-alerts")
    dlq_series = {t: 0.0 for t in k.minutes(start, now) if t.minute % 5 == 0}
    k.alarm(
        kit,
        "contractor-dispatch-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "contractor-dispatch-dlq"},
        "Maximum",
        300,
        1,
        0.0,
        "GreaterThanThreshold",
        dlq_series,
        (start, now),
        "Jobs that failed dispatch five times",
        actions=[topic_alerts],
    )
    k.alarm(
        kit,
        "contractor-dispatch-worker-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "contractor-dispatch-worker"},
        "Sum",
        60,
        5,
        3.0,
        "GreaterThanOrEqualToThreshold",
        worker_errors,
        (start, now),
        "contractor-dispatch-worker failing invocations",
        datapoints=3,
        actions=[topic_alerts],
    )
    k.alarm(
        kit,
        "contractor-dispatch-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "contractor-dispatch"},
        "Maximum",
        60,
        10,
        900.0,
        "GreaterThanThreshold",
        dispatch_age,
        (start, now),
        "Repair jobs waiting more than 15 minutes for dispatch",
        actions=[topic_alerts],
    )
    k.alarm(
        kit,
        "repairs-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": stack["lb_dim"], "TargetGroup": stack["tg_dim"]},
        "Sum",
        60,
        3,
        10.0,
        "GreaterThanThreshold",
        tg_5xx,
        (start, now),
        "repairs-api returning 5xx",
        actions=[topic_alerts],
    )

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": kit.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": (
                    f"Contractors are telling us they haven't had a single new repair job since around {_clock(onset)} "
                    "this morning. Tenants can still log repairs in "
                    "the app and the dispatch worker isn't showing any errors. What's going on?"
                ),
                "alarm_event": None,
                "timezone": "America/New_York",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": q["contractor-dispatch"]["url"],
                    "category": "change",
                    "failure_mode": "sqs-queue-policy-denies-sns-topic",
                    "event_id": culprit["eventID"],
                },
                "also_accept": ["contractor-dispatch", q["contractor-dispatch"]["arn"]],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    "gha-terraform-apply rewrote the contractor-dispatch queue policy to allow only topics matching repair-requests-*",
                    "SNS topic repair-requests no longer matches, so its deliveries to contractor-dispatch are denied (NumberOfNotificationsFailed)",
                    "contractor-dispatch receives no messages and contractor-dispatch-worker has nothing to process",
                    "contractors receive no new repair jobs while tenant-updates keeps working",
                ],
            },
        }
    )
    return Bundle(manifest, kit.records())
