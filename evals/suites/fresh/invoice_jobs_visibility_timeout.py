"""billing: a Terraform refactor drops the invoice job queue's visibility timeout back to the 30 s default."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_j as k

NAME = "invoice-jobs-visibility-timeout"
TITLE = "customers receiving the same invoice several times"
SUMMARY = (
    "A Terraform apply that moves the billing queues onto a shared module resets invoice-render-jobs' "
    "VisibilityTimeout from minutes to 30 s, below the renderer's 40-70 s job time: jobs are redelivered, "
    "invoices go out several times, the workers saturate and messages land in the DLQ."
)

MAX_RECEIVES = 5


def build(seed: int) -> Bundle:
    c = k.Ctx(NAME, seed)
    r = c.rng
    tzname, off = k.REGION_TZ[c.region]
    day = k.pick_day(c, (0, 1, 2, 3, 4))
    change_at = k.local_to_utc(c, day, r.randint(9, 13), r.randint(0, 59)) + timedelta(
        seconds=r.randint(0, 59)
    )
    onset = k.floor_min(change_at) + timedelta(minutes=1)
    start = k.floor_min(change_at) - timedelta(hours=5, minutes=r.randint(0, 30))
    now = onset + timedelta(minutes=r.randint(50, 75), seconds=r.randint(0, 59))
    acct = c.account
    old_vt = r.choice([180, 240, 300])
    tasks = r.choice([5, 6])
    threads = 12
    proc_mean = r.uniform(48, 58)  # seconds per job
    sent_peak = r.uniform(26, 34)  # messages a minute at the daily peak
    cluster = "billing-prod"
    qbase = f"https://sqs.{c.region}.amazonaws.com/{acct}"

    def qurl(n: str) -> str:
        return f"{qbase}/{n}"

    def qarn(n: str) -> str:
        return c.arn("sqs", n)

    noise: dict[tuple[str, datetime], float] = {}

    def nz(key: str, t: datetime, rel: float) -> float:
        kk = (key, t)
        if kk not in noise:
            noise[kk] = 1.0 + r.gauss(0.0, rel)
        return noise[kk]

    def sent(t: datetime) -> float:
        return max(0.0, round(sent_peak * k.diurnal(t, off, 11.5, 0.15) * nz("s", t, 0.18)))

    # --- a minute-by-minute simulation of the invoice queue ---------------------------------------
    capacity = tasks * threads * 60.0 / proc_mean
    minutes: list[datetime] = []
    t = start
    while t < now:
        minutes.append(t)
        t += k.MINUTE
    sim: dict[datetime, dict[str, float]] = {}
    visible: list[float] = [0.0] * (MAX_RECEIVES + 1)  # by receive count so far
    oldest_age = 0.0
    for t in minutes:
        s = sent(t)
        visible[0] += s
        total_vis = sum(visible)
        cap = capacity * nz("cap", t, 0.05)
        recv = min(total_vis, cap)
        frac = recv / total_vis if total_vis else 0.0
        taken = [v * frac for v in visible]
        visible = [v - x for v, x in zip(visible, taken, strict=True)]
        to_dlq = 0.0
        deleted = recv
        if t >= onset:
            # jobs over 30 s come back before they are deleted; a few short ones finish in time
            back = [x * r.uniform(0.7, 0.8) for x in taken]
            deleted = recv - sum(back)
            nxt = [0.0] * (MAX_RECEIVES + 1)
            for i, b in enumerate(back):
                if i + 1 >= MAX_RECEIVES:
                    to_dlq += b
                else:
                    nxt[i + 1] += b
            visible = [v + n for v, n in zip(visible, nxt, strict=True)]
            deleted = recv * 0.97  # workers still call DeleteMessage with their (by then stale) handles
            oldest_age = oldest_age + 60 if sum(visible) > cap * 0.2 else max(0.0, oldest_age * 0.5)
        else:
            oldest_age = r.uniform(2, 30) if s else 0.0
        busy = min(1.0, recv / capacity)
        sim[t] = {
            "sent": s,
            "recv": round(recv),
            "deleted": round(deleted),
            "visible": round(sum(visible)),
            "notvisible": round(recv * (0.5 if t >= onset else proc_mean / 60.0)),
            "empty": round(max(0.0, (1.0 - busy)) * tasks * threads * 3 * nz("e", t, 0.05)),
            "age": max(oldest_age, 1.0) if sum(visible) >= 1 else (r.uniform(1, 20) if s else 0.0),
            "dlq_in": to_dlq,
            "busy": busy,
        }
    dlq_total = 0.0
    for t in minutes:
        dlq_total += sim[t]["dlq_in"]
        sim[t]["dlq"] = round(dlq_total)

    # --- metrics -----------------------------------------------------------------------------------
    m = k.Metrics(c, start, now, start)

    def sv(key: str) -> Any:
        return lambda t: sim[t][key] if t in sim else None

    q = "invoice-render-jobs"
    dq = "invoice-render-jobs-dlq"
    dims = {"QueueName": q}
    m.add("AWS/SQS", "NumberOfMessagesSent", dims, "Count", sv("sent"))
    m.add("AWS/SQS", "NumberOfMessagesReceived", dims, "Count", sv("recv"))
    m.add("AWS/SQS", "NumberOfMessagesDeleted", dims, "Count", sv("deleted"))
    m.add("AWS/SQS", "NumberOfEmptyReceives", dims, "Count", sv("empty"))
    m.add("AWS/SQS", "ApproximateNumberOfMessagesVisible", dims, "Count", sv("visible"))
    m.add("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", dims, "Count", sv("notvisible"))
    m.add("AWS/SQS", "ApproximateNumberOfMessagesDelayed", dims, "Count", lambda t: 0.0)
    m.add("AWS/SQS", "ApproximateAgeOfOldestMessage", dims, "Seconds", lambda t: round(sim[t]["age"]))
    m.add(
        "AWS/SQS",
        "SentMessageSize",
        dims,
        "Bytes",
        lambda t: 1830 * nz("sz", t, 0.03) if sim[t]["sent"] else None,
    )
    ddims = {"QueueName": dq}
    m.add("AWS/SQS", "ApproximateNumberOfMessagesVisible", ddims, "Count", lambda t: sim[t]["dlq"])
    m.add("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", ddims, "Count", lambda t: 0.0)
    m.add("AWS/SQS", "NumberOfMessagesSent", ddims, "Count", lambda t: 0.0)  # redrives are not sends
    m.add(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        ddims,
        "Seconds",
        lambda t: float((t - onset).total_seconds() - 150) if sim[t]["dlq"] else 0.0,
    )

    # two other queues in the same Terraform apply, both with fast consumers
    other_q = [("payment-webhooks", 14.0, 60, 1.8), ("customer-notifications", 55.0, 120, 0.9)]
    for name, rate, _, _ in other_q:
        d = {"QueueName": name}

        def rate_fn(t: datetime, name: str = name, rate: float = rate) -> float:
            return round(rate * k.diurnal(t, off, 13, 0.2) * nz(name, t, 0.15))

        m.add("AWS/SQS", "NumberOfMessagesSent", d, "Count", rate_fn)
        m.add("AWS/SQS", "NumberOfMessagesReceived", d, "Count", rate_fn)
        m.add("AWS/SQS", "NumberOfMessagesDeleted", d, "Count", rate_fn)
        m.add("AWS/SQS", "ApproximateNumberOfMessagesVisible", d, "Count", lambda t: float(r.randint(0, 2)))
        m.add("AWS/SQS", "ApproximateAgeOfOldestMessage", d, "Seconds", lambda t: float(r.randint(0, 4)))

    sd = {"ClusterName": cluster, "ServiceName": "invoice-renderer"}
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        sd,
        "Percent",
        lambda t: min(99.0, (8 + 84 * sim[t]["busy"]) * nz("cpu", t, 0.04)),
        decimals=3,
    )
    m.add(
        "AWS/ECS",
        "MemoryUtilization",
        sd,
        "Percent",
        lambda t: (41 + 22 * sim[t]["busy"]) * nz("mem", t, 0.02),
        decimals=3,
    )
    nd = {"ClusterName": cluster, "ServiceName": "notifications-sender"}
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        nd,
        "Percent",
        lambda t: (6 + 9 * k.diurnal(t, off, 13, 0.2)) * nz("ncpu", t, 0.08),
        decimals=3,
    )
    m.add("AWS/ECS", "MemoryUtilization", nd, "Percent", lambda t: 33 * nz("nmem", t, 0.02), decimals=3)
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster},
        "Percent",
        lambda t: (7 + 50 * sim[t]["busy"]) * nz("ccpu", t, 0.04),
        decimals=3,
    )
    # each processed job e-mails the invoice
    m.add(
        "AWS/SES",
        "Send",
        {},
        "Count",
        lambda t: round(sim[t]["recv"] * 0.99 + 40 * k.diurnal(t, off, 13, 0.2) * nz("ses", t, 0.1)),
    )
    m.add(
        "AWS/SES",
        "Delivery",
        {},
        "Count",
        lambda t: round(
            (sim[t]["recv"] * 0.99 + 40 * k.diurnal(t, off, 13, 0.2) * nz("ses", t, 0.1)) * 0.985
        ),
    )
    m.add("AWS/SES", "Bounce", {}, "Count", lambda t: float(r.choice([0, 0, 0, 1])), sparse=True)

    # --- resources ---------------------------------------------------------------------------------
    created = start - timedelta(days=r.randint(300, 700))
    changed_epoch = str(int(change_at.timestamp()))
    resources: list[dict[str, Any]] = []

    def res(service: str, type_: str, item: dict[str, Any]) -> None:
        resources.append({"service": service, "type": type_, "item": item})

    def queue(
        name: str,
        vt: int,
        dlq: str | None,
        modified: str,
        visible_n: int,
        inflight: int,
        retention: int = 345600,
    ) -> None:
        attrs = {
            "QueueArn": qarn(name),
            "ApproximateNumberOfMessages": str(visible_n),
            "ApproximateNumberOfMessagesNotVisible": str(inflight),
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp())),
            "LastModifiedTimestamp": modified,
            "VisibilityTimeout": str(vt),
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": str(retention),
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if dlq:
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": qarn(dlq), "maxReceiveCount": MAX_RECEIVES}
            )
        res(
            "sqs",
            "Queue",
            {
                "QueueUrl": qurl(name),
                "Attributes": attrs,
                "Tags": {"team": "billing", "managed-by": "terraform", "service": name.split("-")[0]},
            },
        )

    last = sim[minutes[-1]]
    queue(q, 30, dq, changed_epoch, int(last["visible"]), int(last["notvisible"]))
    queue(dq, 30, None, str(int(created.timestamp())), int(last["dlq"]), 0, 1209600)
    for name, _, ovt, _ in other_q:
        queue(name, 30, f"{name}-dlq", changed_epoch, r.randint(0, 2), r.randint(0, 3))
        queue(f"{name}-dlq", 30, None, str(int(created.timestamp())), 0, 0, 1209600)
        del ovt
    topic = c.arn("sns", "billing-alerts")
    res(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {
                "TopicArn": topic,
                "DisplayName": "billing alerts",
                "Owner": acct,
                "SubscriptionsConfirmed": "3",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    cluster_arn = c.arn("ecs", f"cluster/{cluster}")
    res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": tasks + 2,
            "pendingTasksCount": 0,
            "activeServicesCount": 2,
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    subnets = [c.rid("subnet") for _ in range(3)]
    sg = c.rid("sg")
    svc_created = created + timedelta(days=20)
    dep_at = start - timedelta(days=r.randint(3, 12), hours=r.randint(0, 8))
    td_rev = r.randint(40, 120)
    svc_arn = c.arn("ecs", f"service/{cluster}/invoice-renderer")
    n_svc_arn = c.arn("ecs", f"service/{cluster}/notifications-sender")
    notif_dep_at = onset + timedelta(minutes=r.randint(8, 20), seconds=r.randint(0, 59))
    n_rev = r.randint(200, 400)

    def service(
        arn: str, name: str, count: int, rev: int, deployed: datetime, events: list[dict[str, Any]]
    ) -> dict[str, Any]:
        return {
            "serviceArn": arn,
            "serviceName": name,
            "clusterArn": cluster_arn,
            "status": "ACTIVE",
            "desiredCount": count,
            "runningCount": count,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": c.arn("ecs", f"task-definition/{name}:{rev}"),
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": f"ecs-svc/{r.randint(10**18, 10**19 - 1)}",
                    "status": "PRIMARY",
                    "taskDefinition": c.arn("ecs", f"task-definition/{name}:{rev}"),
                    "desiredCount": count,
                    "pendingCount": 0,
                    "runningCount": count,
                    "failedTasks": 0,
                    "createdAt": k.iso(deployed),
                    "updatedAt": k.iso(deployed + timedelta(minutes=4)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {
                            "subnets": subnets,
                            "securityGroups": [sg],
                            "assignPublicIp": "DISABLED",
                        }
                    },
                }
            ],
            "roleArn": f"arn:aws:iam::{acct}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
            "events": events,
            "createdAt": k.iso(svc_created),
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": subnets,
                    "securityGroups": [sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            "schedulingStrategy": "REPLICA",
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        }

    def steady(name: str, at: datetime) -> dict[str, Any]:
        return {
            "id": c.uuid(),
            "createdAt": k.iso(at),
            "message": f"(service {name}) has reached a steady state.",
        }

    res(
        "ecs",
        "Service",
        service(
            svc_arn,
            "invoice-renderer",
            tasks,
            td_rev,
            dep_at,
            [steady("invoice-renderer", start - timedelta(hours=r.randint(1, 5)))],
        ),
    )
    res(
        "ecs",
        "Service",
        service(
            n_svc_arn,
            "notifications-sender",
            2,
            n_rev + 1,
            notif_dep_at,
            [steady("notifications-sender", notif_dep_at + timedelta(minutes=5, seconds=12))],
        ),
    )
    for g in ("/ecs/invoice-renderer", "/ecs/notifications-sender"):
        res(
            "logs",
            "LogGroup",
            {
                "logGroupName": g,
                "creationTime": k.ms(svc_created),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": c.arn("logs", f"log-group:{g}:*"),
                "storedBytes": r.randint(10**9, 9 * 10**9),
                "logGroupClass": "STANDARD",
                "logGroupArn": c.arn("logs", f"log-group:{g}"),
            },
        )
    res(
        "iam",
        "Role",
        {
            "Path": "/",
            "RoleName": "invoice-renderer-task",
            "RoleId": "AROA" + c.alnum(17),
            "Arn": f"arn:aws:iam::{acct}:role/invoice-renderer-task",
            "CreateDate": k.iso(svc_created),
            "AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ecs-tasks.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D",
            "MaxSessionDuration": 3600,
        },
    )
    res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": "invoice-renderer-task",
            "PolicyName": "queue-and-bucket",
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
                        "Resource": qarn(q),
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject"],
                        "Resource": f"arn:aws:s3:::billing-invoices-{acct}/*",
                    },
                    {"Effect": "Allow", "Action": ["ses:SendRawEmail"], "Resource": "*"},
                ],
            },
        },
    )

    # --- alarms ------------------------------------------------------------------------------------
    a_created = created + timedelta(days=30)
    dlq_alarm = k.Alarm(
        c,
        "billing-invoice-render-dlq-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=ddims,
        stat="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=0.0,
        comparison="GreaterThanThreshold",
        description="Messages in invoice-render-jobs-dlq. Runbook: https://wiki.internal/billing/runbooks/invoice-dlq",
        topic_arn=topic,
        created=a_created,
    )

    def five(fn: Any) -> Any:
        def agg(t: datetime) -> float | None:
            vals = [fn(t + timedelta(minutes=i)) for i in range(5) if (t + timedelta(minutes=i)) in sim]
            vals = [v for v in vals if v is not None]
            return max(vals) if vals else None

        return agg

    t5 = start.replace(minute=(start.minute // 5) * 5)
    dlq_alarm.evaluate(five(lambda t: float(sim[t]["dlq"])), t5, now, 5.0)
    age_alarm = k.Alarm(
        c,
        "billing-invoice-render-backlog-age",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=dims,
        stat="Maximum",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=900.0,
        comparison="GreaterThanThreshold",
        description="Oldest invoice job older than 15 minutes",
        topic_arn=topic,
        created=a_created,
        unit="Seconds",
    )
    age_alarm.evaluate(five(lambda t: float(round(sim[t]["age"]))), t5, now, 5.0)
    alarms = [dlq_alarm.item(), age_alarm.item()]
    alarms.append(
        k.ok_alarm(
            c,
            "billing-payment-webhooks-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "payment-webhooks-dlq"},
            "Maximum",
            300,
            1,
            0.0,
            "GreaterThanThreshold",
            "Messages in payment-webhooks-dlq",
            topic,
            a_created,
            start - timedelta(days=9),
        )
    )
    alarms.append(
        k.ok_alarm(
            c,
            "billing-invoice-renderer-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            sd,
            "Average",
            300,
            6,
            95.0,
            "GreaterThanThreshold",
            "invoice-renderer CPU above 95% for 30 minutes",
            topic,
            a_created,
            start - timedelta(days=2),
        )
    )
    alarms.append(
        k.ok_alarm(
            c,
            "ses-bounce-rate",
            "AWS/SES",
            "Reputation.BounceRate",
            {},
            "Average",
            3600,
            1,
            0.05,
            "GreaterThanThreshold",
            "SES bounce rate above 5%",
            topic,
            a_created,
            start - timedelta(days=40),
        )
    )
    history: list[dict[str, Any]] = dlq_alarm.history + age_alarm.history
    history.sort(key=lambda h: h["Timestamp"])

    # --- CloudTrail --------------------------------------------------------------------------------
    ip_office = f"{r.choice([81, 86, 92, 145])}.{r.randint(10, 250)}.{r.randint(0, 255)}.{r.randint(2, 250)}"
    dev = r.choice(["sofia.lindqvist", "omar.haddad", "grace.mbeki", "ravi.shankar"])
    human = k.sso_cli(c, "BillingDeveloper", dev, ip_office)
    viewer = k.sso(c, "ReadOnly", r.choice(["li.wei", "noah.becker"]), ip_office)
    tf_session = f"atlantis-billing-{r.randint(1000, 9999)}"
    tf = k.Principal(
        c,
        "atlantis-terraform-prod",
        tf_session,
        agent=k.TERRAFORM_UA,
        ip=f"10.{c.vpc_octet}.8.{r.randint(10, 200)}",
    )
    gha = k.Principal(
        c,
        "gha-billing-deploy",
        "GitHubActions",
        agent="aws-cli/2.17.12 Python/3.11.9 Linux/6.5.0-1025-azure exe/x86_64.ubuntu.22 prompt/off command/ecs.update-service",
        ip="140.82.115.20",
    )
    worker = k.Principal(
        c,
        "invoice-renderer-task",
        c.hex(32),
        agent="Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
        ip=f"10.{c.vpc_octet}.33.{r.randint(10, 200)}",
    )
    ct: list[dict[str, Any]] = []
    menu: list[tuple[str, str, dict[str, Any] | None]] = [
        ("sqs.amazonaws.com", "ListQueues", {"queueNamePrefix": "invoice"}),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["invoice-renderer"]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": "invoice-renderer"}),
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "billing-"}),
        (
            "logs.amazonaws.com",
            "DescribeLogStreams",
            {"logGroupName": "/ecs/invoice-renderer", "descending": True, "orderBy": "LastEventTime"},
        ),
    ]
    ct += k.routine_reads(c, [viewer, human, worker], start, now, menu, 20)
    ct.append(
        k.trail(
            c,
            worker,
            start + timedelta(minutes=r.randint(3, 30)),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": qurl(q), "attributeNames": ["VisibilityTimeout", "RedrivePolicy"]},
            None,
            read_only=True,
        )
    )
    # terraform plan/apply: refresh reads, then three SetQueueAttributes
    plan_at = change_at - timedelta(minutes=r.randint(9, 16))
    for i, name in enumerate([q, dq, "payment-webhooks", "customer-notifications"]):
        ct.append(
            k.trail(
                c,
                tf,
                plan_at + timedelta(seconds=3 * i + 1),
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": qurl(name), "attributeNames": ["All"]},
                None,
                read_only=True,
            )
        )
        ct.append(
            k.trail(
                c,
                tf,
                plan_at + timedelta(seconds=3 * i + 2),
                "sqs.amazonaws.com",
                "ListQueueTags",
                {"queueUrl": qurl(name)},
                None,
                read_only=True,
            )
        )
    apply_order = [("payment-webhooks", 60), (q, old_vt), ("customer-notifications", 120)]
    r.shuffle(apply_order)
    culprit: dict[str, Any] = {}
    for i, (name, _) in enumerate(apply_order):
        at = change_at + timedelta(seconds=i * r.randint(1, 3))
        rec = k.trail(
            c,
            tf,
            at,
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            {
                "queueUrl": qurl(name),
                "attributes": {
                    "VisibilityTimeout": "30",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "SqsManagedSseEnabled": "true",
                },
            },
            None,
            api="sqs",
        )
        ct.append(rec)
        if name == q:
            culprit = rec
        ct.append(
            k.trail(
                c,
                tf,
                at + timedelta(seconds=1),
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": qurl(name), "attributeNames": ["All"]},
                None,
                read_only=True,
            )
        )
    # an unrelated deploy of the notifications service shortly after
    ct.append(
        k.trail(
            c,
            gha,
            notif_dep_at - timedelta(seconds=14),
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": "notifications-sender",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "cpu": "512",
                "memory": "1024",
                "containerDefinitions": [
                    {
                        "name": "app",
                        "image": f"{acct}.dkr.ecr.{c.region}.amazonaws.com/notifications-sender:{c.hex(7)}",
                        "essential": True,
                    }
                ],
            },
            {"taskDefinition": {"family": "notifications-sender", "revision": n_rev + 1, "status": "ACTIVE"}},
        )
    )
    ct.append(
        k.trail(
            c,
            gha,
            notif_dep_at,
            "ecs.amazonaws.com",
            "UpdateService",
            {
                "cluster": cluster,
                "service": "notifications-sender",
                "taskDefinition": f"notifications-sender:{n_rev + 1}",
                "forceNewDeployment": False,
            },
            {
                "service": {
                    "serviceName": "notifications-sender",
                    "status": "ACTIVE",
                    "desiredCount": 2,
                    "taskDefinition": c.arn("ecs", f"task-definition/notifications-sender:{n_rev + 1}"),
                }
            },
        )
    )
    # a developer sets a CloudWatch Logs retention on an unrelated group, minutes before the apply
    ct.append(
        k.trail(
            c,
            human,
            change_at - timedelta(minutes=r.randint(17, 26)),
            "logs.amazonaws.com",
            "PutRetentionPolicy",
            {"logGroupName": "/aws/lambda/billing-statement-export", "retentionInDays": 90},
            None,
            api="put-retention-policy",
        )
    )
    ct.append(
        k.assume_role_record(
            c,
            start + timedelta(minutes=r.randint(10, 100)),
            f"arn:aws:iam::{acct}:role/invoice-renderer-task",
            c.hex(32),
            "ecs-tasks.amazonaws.com",
        )
    )
    ct = [x for x in ct if x["eventTime"] <= k.iso(now)]
    ct.sort(key=lambda x: x["eventTime"])

    # --- logs --------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    task_ids = [c.hex(32) for _ in range(tasks)]
    invoices: list[tuple[str, str]] = []
    seq = r.randint(4_100_000, 6_900_000)
    pending: list[tuple[datetime, str, str, int]] = []  # redeliveries: at, invoice, customer, count
    for t in minutes:
        s = int(sim[t]["sent"])
        fresh = []
        for _ in range(s):
            seq += 1
            fresh.append((f"INV-{day:%Y}-{seq}", f"cus_{c.alnum(14, upper=False)}"))
        invoices.extend(fresh)
        jobs = [(inv, cus, 1) for inv, cus in fresh]
        due = [p for p in pending if p[0] <= t]
        pending = [p for p in pending if p[0] > t]
        jobs += [(inv, cus, n) for _, inv, cus, n in due]
        cap = int(sim[t]["recv"]) + 2
        for inv, cus, n in jobs[:cap]:
            task = r.choice(task_ids)
            began = t + timedelta(milliseconds=r.randint(0, 59000))
            dur = max(18.0, r.gauss(proc_mean, 7.0))
            done = began + timedelta(seconds=dur)
            stream = f"invoice-renderer/app/{task}"
            if done >= now:
                continue
            rec = {
                "timestamp": done.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                "level": "info",
                "logger": "renderer.worker",
                "event": "invoice.sent",
                "invoice_id": inv,
                "customer_id": cus,
                "pages": r.randint(1, 4),
                "duration_ms": int(dur * 1000),
                "approximate_receive_count": n,
                "s3_key": f"invoices/{day:%Y/%m}/{inv}.pdf",
            }
            logs.append(k.log("/ecs/invoice-renderer", stream, done, json.dumps(rec, separators=(",", ":"))))
            if began >= onset and dur > 30 and n < MAX_RECEIVES and r.random() < 0.78:
                pending.append((k.floor_min(began + timedelta(seconds=30)) + k.MINUTE, inv, cus, n + 1))
            if n > 1 and r.random() < 0.25:
                w = {
                    "timestamp": (done - timedelta(milliseconds=r.randint(300, 2000))).strftime(
                        "%Y-%m-%dT%H:%M:%S.%f"
                    )[:-3]
                    + "Z",
                    "level": "warning",
                    "logger": "renderer.einvoice",
                    "event": "einvoice.submit.conflict",
                    "invoice_id": inv,
                    "status": 409,
                    "body": '{"code":"DOCUMENT_ALREADY_SUBMITTED"}',
                    "action": "continuing",
                }
                logs.append(
                    k.log(
                        "/ecs/invoice-renderer",
                        stream,
                        done - timedelta(seconds=1),
                        json.dumps(w, separators=(",", ":")),
                    )
                )
        if jobs[cap:]:
            pending.extend((t + k.MINUTE, inv, cus, n) for inv, cus, n in jobs[cap:])
        if r.random() < 0.02:
            task = r.choice(task_ids)
            w = {
                "timestamp": (t + timedelta(seconds=r.randint(0, 59))).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
                + "Z",
                "level": "warning",
                "logger": "renderer.fonts",
                "event": "font.fallback",
                "font": "NotoSansThai-Regular",
                "fallback": "DejaVuSans",
            }
            logs.append(
                k.log(
                    "/ecs/invoice-renderer",
                    f"invoice-renderer/app/{task}",
                    t + timedelta(seconds=30),
                    json.dumps(w, separators=(",", ":")),
                )
            )
    for i in range(40):
        at = start + timedelta(seconds=r.randint(0, int((now - start).total_seconds()) - 5))
        logs.append(
            k.log(
                "/ecs/notifications-sender",
                f"notifications-sender/app/{c.hex(32) if i % 7 == 0 else 'a' * 32}",
                at,
                json.dumps(
                    {"ts": k.iso(at), "lvl": "INFO", "msg": "batch delivered", "count": r.randint(5, 60)}
                ),
            )
        )
    logs.sort(key=lambda x: (x["log_group"], x["log_stream"], x["timestamp"]))

    events: list[dict[str, Any]] = [
        {
            "source": "ecs",
            "item": {
                "service_arn": n_svc_arn,
                "event": {
                    "id": c.uuid(),
                    "createdAt": k.iso(notif_dep_at + timedelta(seconds=20)),
                    "message": f"(service notifications-sender) has started 2 tasks: (task {c.hex(32)}) (task {c.hex(32)}).",
                },
            },
        },
        {
            "source": "ecs",
            "item": {
                "service_arn": n_svc_arn,
                "event": {
                    "id": c.uuid(),
                    "createdAt": k.iso(notif_dep_at + timedelta(minutes=3, seconds=2)),
                    "message": f"(service notifications-sender) has stopped 2 running tasks: (task {c.hex(32)}) (task {c.hex(32)}).",
                },
            },
        },
    ]
    events = [e for e in events if e["item"]["event"]["createdAt"] <= k.iso(now)]

    noticed = onset + timedelta(minutes=r.randint(6, 15))
    local = noticed + timedelta(hours=off)
    clock = f"{(local.hour % 12) or 12}:{(local.minute // 5) * 5:02d}{'am' if local.hour < 12 else 'pm'}"
    question = r.choice(
        [
            f"Support says customers have been getting the same invoice email three or four times since about {clock}, and the invoice DLQ alarm went off. What's going on?",
            f"billing: duplicate invoice emails since roughly {clock} today and the invoice-render DLQ is filling up. can you figure out why?",
        ]
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": c.region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": tzname},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": qarn(q),
                    "category": "change",
                    "failure_mode": "sqs-visibility-timeout-below-processing-time",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [qurl(q), q],
                "actions": ["rollback"],
                "chain": [
                    f"SetQueueAttributes (Terraform) sets {q} VisibilityTimeout from {old_vt} to 30 s",
                    f"invoice-renderer jobs take {int(proc_mean) - 8}-{int(proc_mean) + 15} s, so each message becomes visible again and is received by another worker before it is deleted",
                    "NumberOfMessagesReceived far exceeds NumberOfMessagesSent; invoices are rendered and e-mailed several times (SES Send up)",
                    "the workers saturate on duplicate work; backlog and oldest-message age climb",
                    f"messages exceed maxReceiveCount {MAX_RECEIVES} and move to {dq}, firing billing-invoice-render-dlq-not-empty",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.points,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": ct,
            "resources": resources,
            "events": events,
        },
    )
