"""Courier bookings stop after a Terraform apply rewrites the booking queue's access policy."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_zc as k

NAME = "courier-bookings-stopped"
TITLE = "No courier bookings since early afternoon; the booking worker shows no errors"
SUMMARY = (
    "A Terraform apply replaced the courier-booking queue's access policy without the statement that lets "
    "the order-events SNS topic send to it; SNS deliveries to that queue fail, the worker idles."
)

TZ = ZoneInfo("America/Chicago")
TF_UA = (
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.46.0 "
    "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 "
    "md/GOOS#linux md/GOARCH#amd64 api/{api}"
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = f"{rng.randint(2, 9)}{rng.randint(10**10, 10**11 - 1)}"
    region = "us-east-2"
    day = k.pick_day(rng, (1, 2, 3))
    local_onset = datetime(
        day.year, day.month, day.day, 14, rng.randint(2, 24), rng.randint(0, 59), tzinfo=TZ
    )
    onset = local_onset.astimezone(UTC)
    start = k.floor5(onset - timedelta(hours=5, minutes=rng.randint(0, 30)))
    now = k.minute(onset + timedelta(minutes=rng.randint(48, 62)))
    end = now + timedelta(minutes=10)
    fine_from = k.floor5(onset - timedelta(hours=2))
    pts = k.grid(start, now, fine_from)
    utc_off = local_onset.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]

    # --- names and ids ------------------------------------------------------------------------------
    topic = "order-events"
    topic_arn = f"arn:aws:sns:{region}:{account}:{topic}"
    q_book = "courier-booking-requests"
    q_dlq = "courier-booking-requests-dlq"
    q_anl = "order-analytics-ingest"

    def qurl(n: str) -> str:
        return f"https://sqs.{region}.amazonaws.com/{account}/{n}"

    def qarn(n: str) -> str:
        return f"arn:aws:sqs:{region}:{account}:{n}"

    cluster = "fulfilment-prod"
    svc = "courier-booker"
    web_svc = "storefront-web"
    booker_role = "courier-booker-task"
    mailer = "order-confirmation-mailer"
    loader = "order-analytics-loader"
    vpc, subnets = k.vpc_block(rng, account, region, "oakhaven-prod", rng.choice([40, 42, 44]))
    sg_worker = k.security_group(rng, account, vpc["VpcId"], "courier-booker", "courier-booker tasks", [])
    subnet_ids = [s["SubnetId"] for s in subnets]
    booker_td_rev = rng.randint(31, 58)
    booker_td = f"arn:aws:ecs:{region}:{account}:task-definition/{svc}:{booker_td_rev}"
    web_td_rev = rng.randint(200, 340)
    ntasks = 3
    tasks = [k.ecs_task_id(rng) for _ in range(ntasks)]
    task_ips = [
        f"10.{vpc['CidrBlock'].split('.')[1]}.{rng.choice([33, 49, 65])}.{rng.randint(5, 250)}" for _ in tasks
    ]

    # --- traffic ------------------------------------------------------------------------------------
    base = rng.uniform(14, 22)  # orders/minute at the daily peak

    def orders_pm(t: datetime) -> float:
        return base * k.diurnal(t, utc_off, peak_hour=13.0, low=0.15)

    per_min: dict[datetime, float] = {}
    series = k.Series(rng, pts)

    def published(t: datetime, step: int) -> float:
        v = round(orders_pm(t) * step / 60 * k.noise(rng, 0.12))
        per_min[t] = v
        return v

    dims_topic = {"TopicName": topic}
    series.add("AWS/SNS", "NumberOfMessagesPublished", dims_topic, "Count", published)
    series.add(
        "AWS/SNS",
        "NumberOfNotificationsDelivered",
        dims_topic,
        "Count",
        lambda t, s: per_min[t] * (3 if t < onset else 2) if per_min[t] else None,
    )

    def failed(t: datetime, s: int) -> float | None:
        if t + timedelta(seconds=s) <= onset:
            return None
        if t < onset:
            frac = (t + timedelta(seconds=s) - onset).total_seconds() / s
            v = float(round(per_min[t] * frac))
        else:
            v = per_min[t]
        return v or None

    series.add("AWS/SNS", "NumberOfNotificationsFailed", dims_topic, "Count", failed)
    series.add(
        "AWS/SNS",
        "PublishSize",
        dims_topic,
        "Bytes",
        lambda t, s: rng.uniform(1650, 2300) if per_min[t] else None,
    )

    def sent_book(t: datetime, s: int) -> float:
        if t >= onset:
            return 0.0
        if t + timedelta(seconds=s) > onset:
            return round(per_min[t] * (onset - t).total_seconds() / s)
        return per_min[t]

    book_sent: dict[datetime, float] = {}
    for t, s in pts:
        book_sent[t] = sent_book(t, s)
    qb = {"QueueName": q_book}
    series.add("AWS/SQS", "NumberOfMessagesSent", qb, "Count", lambda t, s: book_sent[t])
    series.add("AWS/SQS", "NumberOfMessagesReceived", qb, "Count", lambda t, s: book_sent[t])
    series.add("AWS/SQS", "NumberOfMessagesDeleted", qb, "Count", lambda t, s: book_sent[t])
    polls_pm = ntasks * 3.0  # 20 s long polls
    series.add(
        "AWS/SQS",
        "NumberOfEmptyReceives",
        qb,
        "Count",
        lambda t, s: round(max(0.0, polls_pm * s / 60 - book_sent[t] * 0.35) * k.noise(rng, 0.04)),
    )
    series.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qb,
        "Count",
        lambda t, s: float(rng.choice([0, 0, 0, 1])) if book_sent[t] else 0.0,
    )
    series.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qb,
        "Count",
        lambda t, s: float(rng.randint(0, 3)) if book_sent[t] else 0.0,
    )
    series.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qb,
        "Seconds",
        lambda t, s: float(rng.randint(0, 2)) if book_sent[t] else 0.0,
    )
    qd = {"QueueName": q_dlq}
    for m in ("NumberOfMessagesSent", "ApproximateNumberOfMessagesVisible"):
        series.add("AWS/SQS", m, qd, "Count", lambda t, s: 0.0)
    qa = {"QueueName": q_anl}
    series.add("AWS/SQS", "NumberOfMessagesSent", qa, "Count", lambda t, s: per_min[t])
    series.add("AWS/SQS", "NumberOfMessagesReceived", qa, "Count", lambda t, s: per_min[t])
    series.add("AWS/SQS", "NumberOfMessagesDeleted", qa, "Count", lambda t, s: per_min[t])
    series.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qa,
        "Seconds",
        lambda t, s: float(rng.randint(1, 14)),
    )
    series.add(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qa,
        "Count",
        lambda t, s: float(rng.randint(0, 6)),
    )

    # ECS worker utilisation: idle after the onset
    ecs_dims = {"ClusterName": cluster, "ServiceName": svc}
    series.add(
        "AWS/ECS",
        "CPUUtilization",
        ecs_dims,
        "Percent",
        lambda t, s: (2.0 + book_sent[t] / (s / 60) * 0.9) * k.noise(rng, 0.1) if True else None,
    )
    series.add(
        "AWS/ECS",
        "MemoryUtilization",
        ecs_dims,
        "Percent",
        lambda t, s: rng.uniform(31.0, 33.5),
    )
    web_dims = {"ClusterName": cluster, "ServiceName": web_svc}
    series.add(
        "AWS/ECS",
        "CPUUtilization",
        web_dims,
        "Percent",
        lambda t, s: 14 + 30 * k.diurnal(t, utc_off, 13.0) * k.noise(rng, 0.08),
    )

    # Lambda subscribers keep working
    for fn, dur in ((mailer, 380.0), (loader, 95.0)):
        ld = {"FunctionName": fn}
        series.add("AWS/Lambda", "Invocations", ld, "Count", lambda t, s: per_min[t] or None)
        series.add("AWS/Lambda", "Errors", ld, "Count", lambda t, s: 0.0 if per_min[t] else None)
        series.add(
            "AWS/Lambda",
            "Duration",
            ld,
            "Milliseconds",
            lambda t, s, d=dur: (d * k.noise(rng, 0.15)) if per_min[t] else None,  # type: ignore[misc]
        )

    # application metric (EMF from the worker), only when bookings happen
    app_dims = {"Service": svc}
    bookings: dict[datetime, float] = {}

    def booked(t: datetime, s: int) -> float | None:
        v = round(book_sent[t] * rng.uniform(0.62, 0.72))
        if not v:
            return None
        bookings[t] = v
        return v

    series.add("Oakhaven/Fulfilment", "CourierBookingsCreated", app_dims, "Count", booked)

    # --- alarms -------------------------------------------------------------------------------------
    ops_topic = f"arn:aws:sns:{region}:{account}:ops-pager"
    alarms: list[k.Alarm] = []
    a_low = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="courier-bookings-stalled",
        description="No courier bookings created in 20 minutes during trading hours (08:00-20:00 CT).",
        namespace="Oakhaven/Fulfilment",
        metric="CourierBookingsCreated",
        dims=app_dims,
        stat="Sum",
        period=300,
        evaluation_periods=4,
        datapoints_to_alarm=4,
        threshold=1.0,
        comparison="LessThanThreshold",
        treat_missing="breaching",
        actions=[ops_topic],
        created=start - timedelta(days=120),
    )
    five = k.per_minute_to_periods({t: v for t, v in bookings.items() if t >= fine_from}, 300)
    for t, s in pts:
        if s == 300 and t in bookings:
            five[t] = bookings[t]
    # treat missing as breaching: periods with no data are zero bookings
    p = start
    while p + timedelta(minutes=5) <= now:
        five.setdefault(p, 0.0)
        p += timedelta(minutes=5)
    a_low.evaluate(five, start, now)
    alarms.append(a_low)

    age_vals = {}
    for t, _s in pts:
        age_vals[t] = 2.0 if book_sent[t] else 0.0
    for name, metric, dims, thr, stat, val in (
        ("courier-booking-requests-age", "ApproximateAgeOfOldestMessage", qb, 600.0, "Maximum", 2.0),
        (
            "courier-booking-requests-dlq-visible",
            "ApproximateNumberOfMessagesVisible",
            qd,
            0.0,
            "Maximum",
            0.0,
        ),
        ("order-analytics-ingest-age", "ApproximateAgeOfOldestMessage", qa, 900.0, "Maximum", 14.0),
    ):
        a = k.Alarm(
            rng=rng,
            account=account,
            region=region,
            name=name,
            description=f"{dims['QueueName']} {metric}",
            namespace="AWS/SQS",
            metric=metric,
            dims=dims,
            stat=stat,
            period=300,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=thr,
            comparison="GreaterThanThreshold",
            actions=[ops_topic],
            created=start - timedelta(days=rng.randint(60, 400)),
        )
        a.evaluate(k.per_minute_to_periods({t: val for t in age_vals}, 300, "max"), start, now)
        alarms.append(a)
    a_mail = k.Alarm(
        rng=rng,
        account=account,
        region=region,
        name="order-confirmation-mailer-errors",
        description="Confirmation mailer Lambda errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": mailer},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=5.0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[ops_topic],
        created=start - timedelta(days=300),
    )
    a_mail.evaluate({t: 0.0 for t in k.per_minute_to_periods(per_min, 300)}, start, now)
    alarms.append(a_mail)

    # --- resources ----------------------------------------------------------------------------------
    booker_role_arn = f"arn:aws:iam::{account}:role/{booker_role}"
    new_policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Id": f"{q_book}-policy",
        "Statement": [
            {
                "Sid": "CourierBookerConsume",
                "Effect": "Allow",
                "Principal": {"AWS": booker_role_arn},
                "Action": [
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:ChangeMessageVisibility",
                    "sqs:GetQueueAttributes",
                ],
                "Resource": qarn(q_book),
            },
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": qarn(q_book),
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }
    anl_policy: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AllowOrderEventsTopic",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": qarn(q_anl),
                "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
            }
        ],
    }
    created_q = start - timedelta(days=rng.randint(200, 600))

    def qattrs(
        n: str, policy: dict[str, Any] | None, redrive: str | None, vis: int, modified: datetime
    ) -> dict[str, str]:
        a = {
            "QueueArn": qarn(n),
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created_q.timestamp())),
            "LastModifiedTimestamp": str(int(modified.timestamp())),
            "VisibilityTimeout": str(vis),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "1209600" if n.endswith("dlq") else "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if policy:
            a["Policy"] = json.dumps(policy, separators=(",", ":"))
        if redrive:
            a["RedrivePolicy"] = redrive
        return a

    redrive = json.dumps({"deadLetterTargetArn": qarn(q_dlq), "maxReceiveCount": 5}, separators=(",", ":"))
    resources = [
        k.res("ec2", "Vpc", vpc),
        *[k.res("ec2", "Subnet", s) for s in subnets],
        k.res("ec2", "SecurityGroup", sg_worker),
        k.res(
            "sns",
            "Topic",
            {
                "TopicArn": topic_arn,
                "Attributes": {
                    "TopicArn": topic_arn,
                    "Owner": account,
                    "DisplayName": "",
                    "SubscriptionsConfirmed": "3",
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
                                        "SNS:Publish",
                                        "SNS:Subscribe",
                                        "SNS:GetTopicAttributes",
                                        "SNS:ListSubscriptionsByTopic",
                                    ],
                                    "Resource": topic_arn,
                                    "Condition": {"StringEquals": {"AWS:SourceOwner": account}},
                                }
                            ],
                        },
                        separators=(",", ":"),
                    ),
                },
            },
        ),
    ]
    for proto, endpoint in (
        ("sqs", qarn(q_book)),
        ("sqs", qarn(q_anl)),
        ("lambda", f"arn:aws:lambda:{region}:{account}:function:{mailer}"),
    ):
        sub_arn = f"{topic_arn}:{k.uid(rng)}"
        attrs = {
            "SubscriptionArn": sub_arn,
            "TopicArn": topic_arn,
            "Protocol": proto,
            "Endpoint": endpoint,
            "Owner": account,
            "ConfirmationWasAuthenticated": "true",
            "PendingConfirmation": "false",
            "RawMessageDelivery": "true" if proto == "sqs" else "false",
            "SubscriptionPrincipal": f"arn:aws:iam::{account}:role/terraform-ci",
        }
        resources.append(
            k.res(
                "sns",
                "Subscription",
                {
                    "SubscriptionArn": sub_arn,
                    "TopicArn": topic_arn,
                    "Protocol": proto,
                    "Endpoint": endpoint,
                    "Owner": account,
                    "Attributes": attrs,
                },
            )
        )
    resources += [
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": qurl(q_book),
                "Attributes": qattrs(q_book, new_policy, redrive, 120, onset),
                "Tags": {
                    "team": "fulfilment",
                    "service": svc,
                    "managed-by": "terraform",
                    "cost-centre": "ops-logistics",
                },
            },
        ),
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": qurl(q_dlq),
                "Attributes": qattrs(q_dlq, None, None, 30, onset - timedelta(seconds=6)),
                "Tags": {"team": "fulfilment", "service": svc, "managed-by": "terraform"},
            },
        ),
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": qurl(q_anl),
                "Attributes": qattrs(q_anl, anl_policy, None, 300, created_q + timedelta(days=40)),
                "Tags": {"team": "data", "managed-by": "terraform"},
            },
        ),
    ]
    resources.append(
        k.res(
            "ecs",
            "Cluster",
            {
                "clusterArn": f"arn:aws:ecs:{region}:{account}:cluster/{cluster}",
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": ntasks + 6,
                "pendingTasksCount": 0,
                "activeServicesCount": 4,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            },
        )
    )
    booker_deployed = start - timedelta(days=rng.randint(3, 12), hours=rng.randint(0, 8))
    svc_item = k.ecs_service_item(
        account=account,
        region=region,
        cluster=cluster,
        name=svc,
        task_def=booker_td,
        desired=ntasks,
        created=start - timedelta(days=410),
        deployed=booker_deployed,
        subnets=subnet_ids,
        sgs=[sg_worker["GroupId"]],
        rng=rng,
    )
    resources.append(k.res("ecs", "Service", svc_item))
    resources.append(
        k.res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": booker_td,
                "family": svc,
                "revision": booker_td_rev,
                "taskRoleArn": booker_role_arn,
                "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "status": "ACTIVE",
                "cpu": "512",
                "memory": "1024",
                "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [
                    {
                        "name": svc,
                        "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{svc}:2.{rng.randint(10, 30)}.{rng.randint(0, 9)}",
                        "essential": True,
                        "cpu": 0,
                        "environment": [
                            {"name": "QUEUE_URL", "value": qurl(q_book)},
                            {"name": "CARRIER_API_BASE", "value": "https://api.shipbridge.example/v2"},
                            {"name": "NODE_ENV", "value": "production"},
                            {"name": "LOG_LEVEL", "value": "info"},
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": f"/ecs/{svc}",
                                "awslogs-region": region,
                                "awslogs-stream-prefix": svc,
                            },
                        },
                    }
                ],
            },
        )
    )
    resources.append(
        k.res(
            "iam",
            "Role",
            {
                "Path": "/",
                "RoleName": booker_role,
                "RoleId": f"AROA{k.alnum(rng, 17)}",
                "Arn": booker_role_arn,
                "CreateDate": k.iso(start - timedelta(days=410)),
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
    )
    for fn, mem, rt in ((mailer, 512, "nodejs20.x"), (loader, 256, "python3.12")):
        resources.append(
            k.res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": fn,
                    "FunctionArn": f"arn:aws:lambda:{region}:{account}:function:{fn}",
                    "Runtime": rt,
                    "Role": f"arn:aws:iam::{account}:role/{fn}-role",
                    "Handler": "index.handler" if rt.startswith("node") else "app.handler",
                    "CodeSize": rng.randint(200000, 4000000),
                    "Timeout": 30,
                    "MemorySize": mem,
                    "LastModified": (start - timedelta(days=rng.randint(2, 40))).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    ),
                    "Version": "$LATEST",
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["arm64"],
                },
            )
        )
    for g in (f"/ecs/{svc}", f"/aws/lambda/{mailer}", f"/aws/lambda/{loader}"):
        resources.append(
            k.res("logs", "LogGroup", k.log_group_item(account, region, g, start - timedelta(days=400)))
        )

    # --- logs ---------------------------------------------------------------------------------------
    logs: list[dict[str, object]] = []
    carriers = ["ShipBridge", "ShipBridge", "ShipBridge", "Parcelink"]
    seq = rng.randint(4_100_000, 4_900_000)
    for t, s in pts:
        n = int(book_sent[t])
        for _ in range(n):
            seq += 1
            ti = rng.randrange(ntasks)
            ts = t + timedelta(seconds=rng.uniform(0, s))
            host = f"ip-{task_ips[ti].replace('.', '-')}.{region}.compute.internal"
            stream = f"{svc}/{svc}/{tasks[ti]}"
            oid = f"OH-{seq}"
            if rng.random() < 0.32:
                msg = {
                    "level": 30,
                    "time": k.ms(ts),
                    "pid": 1,
                    "hostname": host,
                    "msg": "order skipped: not a courier fulfilment",
                    "orderId": oid,
                    "fulfilment": rng.choice(["click_and_collect", "white_glove"]),
                }
            else:
                lat = int(rng.lognormvariate(5.9, 0.35))
                msg = {
                    "level": 30,
                    "time": k.ms(ts),
                    "pid": 1,
                    "hostname": host,
                    "msg": "courier booking created",
                    "orderId": oid,
                    "carrier": rng.choice(carriers),
                    "bookingRef": k.alnum(rng, 10),
                    "slot": rng.choice(["AM", "PM", "ALL_DAY"]),
                    "latencyMs": lat,
                }
                if lat > 1100:
                    logs.append(
                        k.log(
                            f"/ecs/{svc}",
                            stream,
                            ts - timedelta(milliseconds=lat),
                            json.dumps(
                                {
                                    "level": 40,
                                    "time": k.ms(ts) - lat,
                                    "pid": 1,
                                    "hostname": host,
                                    "msg": "carrier API slow response",
                                    "carrier": msg["carrier"],
                                    "elapsedMs": lat,
                                    "endpoint": "POST /v2/collections",
                                }
                            ),
                        )
                    )
            logs.append(k.log(f"/ecs/{svc}", stream, ts, json.dumps(msg)))
    # token refreshes show the worker is alive all along
    for ti in range(ntasks):
        host = f"ip-{task_ips[ti].replace('.', '-')}.{region}.compute.internal"
        t = start + timedelta(minutes=rng.uniform(0, 50))
        while t < now:
            logs.append(
                k.log(
                    f"/ecs/{svc}",
                    f"{svc}/{svc}/{tasks[ti]}",
                    t,
                    json.dumps(
                        {
                            "level": 30,
                            "time": k.ms(t),
                            "pid": 1,
                            "hostname": host,
                            "msg": "carrier oauth token refreshed",
                            "carrier": "ShipBridge",
                            "expiresIn": 3600,
                        }
                    ),
                )
            )
            t += timedelta(minutes=55, seconds=rng.randint(0, 20))
        # an occasional unrelated warning
        tw = start + timedelta(minutes=rng.uniform(20, 200))
        logs.append(
            k.log(
                f"/ecs/{svc}",
                f"{svc}/{svc}/{tasks[ti]}",
                tw,
                json.dumps(
                    {
                        "level": 40,
                        "time": k.ms(tw),
                        "pid": 1,
                        "hostname": host,
                        "msg": "address normalisation fallback used",
                        "reason": "postcode lookup returned 2 candidates",
                    }
                ),
            )
        )
    # mailer lambda: a sample of invocations
    mstream = f"{day:%Y/%m/%d}/[$LATEST]{k.hexs(rng, 32)}"
    for t, s in pts:
        if t < now - timedelta(minutes=90) or not per_min[t]:
            continue
        for _ in range(min(3, int(per_min[t]))):
            ts = t + timedelta(seconds=rng.uniform(0, s))
            rid = k.uid(rng)
            dur = rng.uniform(250, 600)
            logs.append(
                k.log(f"/aws/lambda/{mailer}", mstream, ts, f"START RequestId: {rid} Version: $LATEST")
            )
            logs.append(
                k.log(
                    f"/aws/lambda/{mailer}",
                    mstream,
                    ts + timedelta(milliseconds=dur * 0.9),
                    f"{(ts + timedelta(milliseconds=dur * 0.9)).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z\t{rid}\tINFO\tconfirmation queued {{ orderId: 'OH-{rng.randint(4_100_000, 4_900_000)}', template: 'order-confirmed-v7' }}",
                )
            )
            logs.append(
                k.log(
                    f"/aws/lambda/{mailer}",
                    mstream,
                    ts + timedelta(milliseconds=dur),
                    f"END RequestId: {rid}",
                )
            )
            logs.append(
                k.log(
                    f"/aws/lambda/{mailer}",
                    mstream,
                    ts + timedelta(milliseconds=dur + 1),
                    f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: {int(dur) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(88, 104)} MB\t",
                )
            )

    # --- CloudTrail ---------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    ci = tr.role(
        "terraform-ci",
        "GitHubActions",
        f"{rng.choice([4, 13, 20, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        TF_UA.format(api="sqs#1.31.4"),
    )
    deployer = tr.role(
        "github-deploy-ecs",
        "GitHubActions",
        f"20.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-cli/2.15.40 Python/3.11.8 Linux/6.5.0-1018-azure exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
    )
    people = ["maria.okafor", "dpatel", "jon.lindqvist", "s.ramirez"]
    humans = [
        tr.sso(
            u,
            rng.choice(["PlatformEngineer", "DeveloperReadOnly", "PlatformEngineer"]),
            f"{rng.choice([73, 98, 174])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        )
        for u in people
    ]
    grafana = tr.role(
        "grafana-cloudwatch-read",
        "grafana",
        f"3.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
    )
    ecs_svc = tr.aws_service("ecs-tasks.amazonaws.com")

    # routine activity over the window
    for t in k.scatter(rng, start, now, 14):
        tr.add(
            t,
            grafana,
            "monitoring.amazonaws.com",
            "DescribeAlarms",
            {"maxRecords": 100},
            None,
            read_only=True,
        )
    for t in k.scatter(rng, start, now, 6):
        tr.add(
            t,
            ecs_svc,
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": booker_role_arn, "roleSessionName": k.hexs(rng, 32)},
            {
                "credentials": {
                    "accessKeyId": f"ASIA{k.alnum(rng, 16)}",
                    "sessionToken": "IQoJb3JpZ2luX2VjEH...",
                    "expiration": "Jan 1, 2099, 12:00:00 AM",
                }
            },
            read_only=True,
            resources=[{"accountId": account, "type": "AWS::IAM::Role", "ARN": booker_role_arn}],
        )
    for t in k.scatter(rng, start, onset - timedelta(minutes=40), 5):
        h = rng.choice(humans)
        ev = rng.choice(
            [
                (
                    "ecs.amazonaws.com",
                    "DescribeServices",
                    {"cluster": cluster, "services": [rng.choice([svc, web_svc])], "include": ["TAGS"]},
                ),
                (
                    "logs.amazonaws.com",
                    "StartQuery",
                    {
                        "logGroupNames": [f"/ecs/{web_svc}"],
                        "startTime": int(t.timestamp()) - 3600,
                        "endTime": int(t.timestamp()),
                        "queryString": "fields @timestamp, @message | filter level >= 50 | sort @timestamp desc | limit 50",
                    },
                ),
                (
                    "sqs.amazonaws.com",
                    "GetQueueAttributes",
                    {"queueUrl": qurl(q_anl), "attributeNames": ["All"]},
                ),
            ]
        )
        tr.add(t, h, str(ev[0]), str(ev[1]), dict(ev[2]), None, read_only=ev[1] != "StartQuery")  # type: ignore[call-overload]
    # morning storefront deploy (innocent, earlier)
    t_web1 = start + timedelta(minutes=rng.randint(40, 100))
    tr.add(
        t_web1,
        deployer,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": web_svc,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": web_svc,
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{web_svc}:{k.hexs(rng, 7)}",
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{web_svc}:{web_td_rev - 1}",
                "revision": web_td_rev - 1,
                "status": "ACTIVE",
            }
        },
    )
    tr.add(
        t_web1 + timedelta(seconds=9),
        deployer,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": web_svc,
            "taskDefinition": f"{web_svc}:{web_td_rev - 1}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": web_svc,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{web_svc}:{web_td_rev - 1}",
                "desiredCount": 6,
            }
        },
    )

    # the terraform run: plan refresh reads, then a few writes
    t_tf = onset - timedelta(seconds=rng.randint(40, 80))
    sqs_ua = TF_UA.format(api="sqs#1.31.4")
    for i, q in enumerate((q_book, q_dlq)):
        tr.add(
            t_tf - timedelta(seconds=120 - i),
            ci,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": qurl(q), "attributeNames": ["All"]},
            None,
            read_only=True,
            ua=sqs_ua,
        )
        tr.add(
            t_tf - timedelta(seconds=118 - i),
            ci,
            "sqs.amazonaws.com",
            "ListQueueTags",
            {"queueUrl": qurl(q)},
            None,
            read_only=True,
            ua=sqs_ua,
        )
    tr.add(
        t_tf - timedelta(seconds=116),
        ci,
        "sns.amazonaws.com",
        "GetTopicAttributes",
        {"topicArn": topic_arn},
        None,
        read_only=True,
        ua=TF_UA.format(api="sns#1.29.4"),
    )
    tr.add(
        t_tf - timedelta(seconds=115),
        ci,
        "sns.amazonaws.com",
        "GetSubscriptionAttributes",
        {
            "subscriptionArn": resources[[r["type"] for r in resources].index("Subscription")]["item"][
                "SubscriptionArn"
            ]
        },
        None,
        read_only=True,
        ua=TF_UA.format(api="sns#1.29.4"),
    )
    tr.add(
        onset - timedelta(seconds=7),
        ci,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": qurl(q_dlq), "attributes": {"MessageRetentionPeriod": "1209600"}},
        None,
        ua=sqs_ua,
    )
    culprit = tr.add(
        onset - timedelta(seconds=1),
        ci,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": qurl(q_book), "attributes": {"Policy": json.dumps(new_policy, separators=(",", ":"))}},
        None,
        ua=sqs_ua,
    )
    tr.add(
        onset + timedelta(seconds=2),
        ci,
        "sqs.amazonaws.com",
        "TagQueue",
        {"queueUrl": qurl(q_book), "tags": {"cost-centre": "ops-logistics"}},
        None,
        ua=sqs_ua,
    )
    for i, q in enumerate((q_book, q_dlq)):
        tr.add(
            onset + timedelta(seconds=4 + i),
            ci,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": qurl(q), "attributeNames": ["All"]},
            None,
            read_only=True,
            ua=sqs_ua,
        )
    # innocent changes near the onset: storefront deploy, a human tuning the analytics loader
    t_web2 = onset + timedelta(minutes=rng.randint(6, 16))
    tr.add(
        t_web2,
        deployer,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": web_svc,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": web_svc,
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{web_svc}:{k.hexs(rng, 7)}",
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{web_svc}:{web_td_rev}",
                "revision": web_td_rev,
                "status": "ACTIVE",
            }
        },
    )
    tr.add(
        t_web2 + timedelta(seconds=11),
        deployer,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": web_svc,
            "taskDefinition": f"{web_svc}:{web_td_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": web_svc,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{web_svc}:{web_td_rev}",
                "desiredCount": 6,
            }
        },
    )
    t_lm = onset - timedelta(minutes=rng.randint(12, 25))
    tr.add(
        t_lm,
        humans[1],
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": loader, "memorySize": 512},
        {
            "functionName": loader,
            "functionArn": f"arn:aws:lambda:{region}:{account}:function:{loader}",
            "runtime": "python3.12",
            "memorySize": 512,
            "timeout": 30,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        host=f"lambda.{region}.amazonaws.com",
    )
    # after the onset: people looking around
    for t in k.scatter(rng, onset + timedelta(minutes=25), now, 4):
        tr.add(
            t,
            humans[0],
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": [svc]},
            None,
            read_only=True,
        )
    tr.add(
        now - timedelta(minutes=rng.randint(3, 9)),
        humans[0],
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {
            "queueUrl": qurl(q_book),
            "attributeNames": ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        },
        None,
        read_only=True,
    )
    for lm_res in resources:
        if lm_res["type"] == "FunctionConfiguration" and lm_res["item"]["FunctionName"] == loader:
            lm_res["item"]["MemorySize"] = 512
            lm_res["item"]["LastModified"] = t_lm.strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    events = [k.steady_state_event(rng, svc_item["serviceArn"], svc, booker_deployed + timedelta(minutes=6))]
    web_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster}/{web_svc}"
    for tw in (t_web1, t_web2):
        if tw + timedelta(minutes=7) <= now:
            events.append(
                k.steady_state_event(rng, web_arn, web_svc, tw + timedelta(minutes=rng.randint(5, 8)))
            )

    history = [h for a in alarms for h in a.history]
    question = (
        f"Warehouse says no courier collections have been booked since about "
        f"{local_onset.strftime('%-I:%M%p').lower()} and the courier-booker shows no errors at all. Orders are still "
        "coming in fine. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "America/Chicago"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": qurl(q_book),
                    "category": "change",
                    "failure_mode": "sqs-queue-policy-drops-sns-publisher",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [q_book, qarn(q_book)],
                "actions": ["rollback"],
                "chain": [
                    f"Terraform (terraform-ci) replaced the access policy of SQS queue {q_book} without the statement "
                    f"allowing SNS topic {topic} to SendMessage",
                    f"SNS deliveries from {topic} to {q_book} fail (NumberOfNotificationsFailed equals published messages)",
                    f"{q_book} receives no messages; {svc} on ECS polls an empty queue and books nothing",
                    "No courier bookings since the apply; other subscribers (analytics queue, mailer Lambda) unaffected",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": k.sort_metrics(series.rows, now),
            "alarms": [a.item() for a in alarms],
            "alarm_history": history,
            "logs": k.sort_logs(logs, now),
            "cloudtrail": tr.sorted(now),
            "resources": resources,
            "events": events,
        },
    )
