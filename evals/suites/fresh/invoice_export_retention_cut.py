"""The nightly ERP invoice export carried almost nothing (author x, incident 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_x import (
    BOTO_UA,
    DATADOG_UA,
    TERRAFORM_UA,
    Kit,
    day_shape,
    floor_to,
    iso,
    jc,
    lambda_assume,
    lambda_deploy,
    lambda_item,
    log_group_item,
    minute_times,
    queue_item,
    routine_reads,
)

NAME = "invoice-export-retention-cut"
TITLE = "This morning's ERP invoice import nearly empty"
SUMMARY = (
    "The nightly invoice export to the ERP carried a few dozen invoices instead of thousands; no errors."
)

TZ = ZoneInfo("Australia/Sydney")
RETENTION_BEFORE = 345600
RETENTION_AFTER = 3600


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, region="ap-southeast-2")
    rng = kit.rng
    day = date(2024, rng.choice([5, 6, 7, 8]), rng.randint(4, 27))
    while day.weekday() in (0, 5, 6):  # the morning after a working day
        day += timedelta(days=1)
    off = (
        datetime(day.year, day.month, day.day, 12, tzinfo=TZ).utcoffset() or timedelta()
    ).total_seconds() / 3600
    prev = day - timedelta(days=1)

    def local(h: int, m: int, d: date = day) -> datetime:
        return datetime(d.year, d.month, d.day, h, m, tzinfo=TZ).astimezone(UTC)

    start = local(0, 0, day - timedelta(days=3))
    change_at = local(15, rng.randint(5, 50), prev) + timedelta(seconds=rng.randint(0, 59))
    fine_from = change_at - timedelta(hours=1)
    now = local(8, rng.randint(35, 59)) + timedelta(seconds=rng.randint(0, 59))
    last_run = local(2, 0)
    fine_windows = [
        (fine_from, change_at + timedelta(minutes=90)),
        (last_run - timedelta(minutes=30), last_run + timedelta(minutes=30)),
        (now - timedelta(minutes=60), now),
    ]
    times: list[datetime] = []
    step: dict[datetime, int] = {}
    for t in minute_times(start, now, now, 300):
        t_end = t + timedelta(minutes=5)
        if any(a < t_end and t <= b for a, b in fine_windows):
            for k in range(5):
                tk = t + timedelta(minutes=k)
                if tk <= now:
                    times.append(tk)
                    step[tk] = 1
        else:
            times.append(t)
            step[t] = 5

    queue, dlq, newq = "invoice-export-requests", "invoice-export-requests-dlq", "credit-note-export-requests"
    finaliser, exporter = "invoice-finaliser", "invoice-erp-export"
    bucket = f"corvel-erp-exports-{kit.account}"
    rule = "invoice-erp-export-nightly"
    ops_topic = kit.arn("sns", "finance-systems-alerts")
    created = start - timedelta(days=rng.randint(300, 800))
    scale = rng.uniform(0.85, 1.2)

    noise_cache: dict[datetime, float] = {}

    def noise(t: datetime) -> float:
        if t not in noise_cache:
            noise_cache[t] = rng.gauss(0, 1)
        return noise_cache[t]

    def weekday_factor(t: datetime) -> float:
        return 0.12 if t.astimezone(TZ).weekday() >= 5 else 1.0

    def sent_per_min(t: datetime) -> float:
        """Invoices finalised per minute: business hours, Sydney."""
        f = day_shape(t, off, "office")
        return max(0.0, (f**2.2 * 12.5 * scale) * weekday_factor(t) * (1 + 0.15 * noise(t)))

    # ---- queue simulation, minute by minute -----------------------------------------------------------
    runs: list[tuple[datetime, int]] = []
    stock: list[tuple[datetime, float]] = []  # (sent minute, count) still in the queue
    visible: dict[datetime, float] = {}
    oldest: dict[datetime, float] = {}
    sent: dict[datetime, float] = {}
    received: dict[datetime, float] = {}
    t = floor_to(start - timedelta(days=1), 60)
    while t <= now:
        n = sent_per_min(t)
        sent[t] = n
        stock.append((t, n))
        retention = RETENTION_AFTER if t >= change_at else RETENTION_BEFORE
        stock = [(s, c) for s, c in stock if (t - s).total_seconds() < retention]
        loc = t.astimezone(TZ)
        received[t] = 0.0
        if loc.hour == 2 and loc.minute == 0:
            total = round(sum(c for _, c in stock))
            if t >= start:
                runs.append((t, total))
            received[t] = float(total)
            stock = []
        visible[t] = sum(c for _, c in stock)
        oldest[t] = (t - stock[0][0]).total_seconds() + 30 if stock else 0.0
        t += timedelta(minutes=1)

    def m_sent(t: datetime) -> float | None:
        return float(round(sum(sent.get(t + timedelta(minutes=k), 0.0) for k in range(step.get(t, 1)))))

    def m_received(t: datetime) -> float:
        return float(sum(received.get(t + timedelta(minutes=k), 0.0) for k in range(step.get(t, 1))))

    ns = "AWS/SQS"
    qd = {"QueueName": queue}
    kit.series(ns, "NumberOfMessagesSent", qd, "Count", m_sent, times)
    kit.series(ns, "NumberOfMessagesReceived", qd, "Count", m_received, times)
    kit.series(ns, "NumberOfMessagesDeleted", qd, "Count", m_received, times)
    kit.series(
        ns, "ApproximateNumberOfMessagesVisible", qd, "Count", lambda t: float(round(visible[t])), times
    )
    kit.series(ns, "ApproximateNumberOfMessagesNotVisible", qd, "Count", lambda t: 0.0, times)
    kit.series(ns, "ApproximateAgeOfOldestMessage", qd, "Seconds", lambda t: float(round(oldest[t])), times)
    kit.series(ns, "NumberOfEmptyReceives", qd, "Count", lambda t: 1.0 if m_received(t) else 0.0, times)

    nl = "AWS/Lambda"
    fd = {"FunctionName": finaliser}
    kit.series(
        nl, "Invocations", fd, "Count", lambda t: float(round((m_sent(t) or 0) * 1.3 + abs(noise(t)))), times
    )
    kit.series(nl, "Errors", fd, "Count", lambda t: 1.0 if noise(t) > 2.6 else 0.0, times)
    kit.series(nl, "Duration", fd, "Milliseconds", lambda t: 310 + 40 * abs(noise(t)), times)
    ed = {"FunctionName": exporter}
    for at, total in runs:
        kit.put(nl, "Invocations", ed, at, 1, "Count")
        kit.put(nl, "Errors", ed, at, 0, "Count")
        kit.put(nl, "Duration", ed, at, round(1800 + total * 21.5 + rng.uniform(0, 900), 2), "Milliseconds")

    # ---- alarms ---------------------------------------------------------------------------------------
    kit.alarm(
        f"{queue}-oldest-message",
        ns,
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        2,
        93600,
        "GreaterThanThreshold",
        "Invoice export requests older than 26 hours: the nightly export has not run",
        start,
        now,
        ops_topic,
    )
    kit.alarm(
        f"{exporter}-errors",
        nl,
        "Errors",
        ed,
        "Sum",
        3600,
        1,
        1,
        "GreaterThanOrEqualToThreshold",
        "Nightly ERP export failed",
        start,
        now,
        ops_topic,
        treat_missing="notBreaching",
    )
    kit.alarm(
        f"{finaliser}-errors",
        nl,
        "Errors",
        fd,
        "Sum",
        300,
        1,
        5,
        "GreaterThanOrEqualToThreshold",
        "invoice-finaliser errors",
        start,
        now,
        ops_topic,
    )

    # ---- CloudTrail -----------------------------------------------------------------------------------
    infra = kit.role("gh-terraform-apply", "GitHubActions", TERRAFORM_UA.format(api="sqs#1.31.4"))
    deployer = kit.role("gh-lambda-deploy", "GitHubActions", BOTO_UA.format(n=rng.randint(80, 120)))
    datadog = kit.role(
        "DatadogIntegrationRole", "DatadogAWSIntegration", DATADOG_UA, ip=f"3.233.147.{rng.randint(2, 250)}"
    )
    people = rng.sample(["aisha.khan", "daniel.murphy", "li.wei", "sofia.lindqvist", "tomas.novak"], 3)
    dev = kit.sso(f"{people[0]}@corvelsupply.com.au", "PowerUserAccess", console=True)
    dev2 = kit.sso(f"{people[1]}@corvelsupply.com.au", "Developer")
    oncall = kit.sso(f"{people[2]}@corvelsupply.com.au", "ReadOnlyAccess", console=True)
    qurl = f"https://sqs.{kit.region}.amazonaws.com/{kit.account}"
    routine_reads(
        kit,
        start,
        now,
        24,
        [
            (datadog, "monitoring.amazonaws.com", "GetMetricData", None),
            (datadog, "sqs.amazonaws.com", "ListQueues", None),
            (datadog, "lambda.amazonaws.com", "ListFunctions20150331", None),
            (datadog, "tagging.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
            (datadog, "events.amazonaws.com", "ListRules", None),
        ],
    )
    for at, _total in runs:
        lambda_assume(kit, at - timedelta(seconds=rng.randint(1, 3)), f"{exporter}-exec", exporter)
    for _k in range(4):
        lambda_assume(
            kit,
            start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds())),
            f"{finaliser}-exec",
            finaliser,
        )
    # the platform-module refactor: plan reads, then the apply
    plan = change_at - timedelta(minutes=rng.randint(30, 55))
    for t0 in (plan, change_at - timedelta(seconds=rng.randint(15, 30))):
        for q in (queue, dlq):
            kit.ct(t0, infra, "sqs.amazonaws.com", "GetQueueUrl", {"queueName": q}, None, read_only=True)
            kit.ct(
                t0 + timedelta(seconds=1),
                infra,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": f"{qurl}/{q}", "attributeNames": ["All"]},
                None,
                read_only=True,
            )
            kit.ct(
                t0 + timedelta(seconds=2),
                infra,
                "sqs.amazonaws.com",
                "ListQueueTags",
                {"queueUrl": f"{qurl}/{q}"},
                None,
                read_only=True,
            )
    culprit = kit.ct(
        change_at,
        infra,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": f"{qurl}/{queue}", "attributes": {"MessageRetentionPeriod": str(RETENTION_AFTER)}},
        None,
    )
    kit.ct(
        change_at + timedelta(seconds=1),
        infra,
        "sqs.amazonaws.com",
        "TagQueue",
        {"queueUrl": f"{qurl}/{queue}", "tags": {"platform-module": "sqs-standard/v2"}},
        None,
    )
    kit.ct(
        change_at + timedelta(seconds=1),
        infra,
        "sqs.amazonaws.com",
        "TagQueue",
        {"queueUrl": f"{qurl}/{dlq}", "tags": {"platform-module": "sqs-standard/v2"}},
        None,
    )
    kit.ct(
        change_at + timedelta(seconds=2),
        infra,
        "sqs.amazonaws.com",
        "CreateQueue",
        {
            "queueName": newq,
            "attributes": {
                "MessageRetentionPeriod": str(RETENTION_AFTER),
                "VisibilityTimeout": "300",
                "SqsManagedSseEnabled": "true",
            },
            "tags": {"platform-module": "sqs-standard/v2", "team": "finance-systems"},
        },
        {"queueUrl": f"{qurl}/{newq}"},
    )
    for q in (queue, dlq, newq):
        kit.ct(
            change_at + timedelta(seconds=rng.randint(3, 6)),
            infra,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": f"{qurl}/{q}", "attributeNames": ["All"]},
            None,
            read_only=True,
        )
    # innocent changes nearby: the finaliser's memory, then the exporter's CSV fix
    mem_at = change_at - timedelta(minutes=rng.randint(12, 24), seconds=rng.randint(0, 59))
    kit.ct(
        mem_at,
        dev,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": finaliser, "memorySize": 1024},
        {
            "functionName": finaliser,
            "functionArn": kit.arn("lambda", f"function:{finaliser}"),
            "memorySize": 1024,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    exp_deploy = change_at + timedelta(minutes=rng.randint(14, 28), seconds=rng.randint(0, 59))
    lambda_deploy(kit, exp_deploy, deployer, exporter)
    kit.ct(
        local(11, rng.randint(0, 59), day - timedelta(days=2)),
        dev2,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": exporter},
        None,
        read_only=True,
    )
    kit.ct(
        now - timedelta(minutes=rng.randint(8, 14)),
        oncall,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": exporter},
        None,
        read_only=True,
    )
    kit.ct(
        now - timedelta(minutes=rng.randint(3, 7)),
        oncall,
        "logs.amazonaws.com",
        "FilterLogEvents",
        {"logGroupName": f"/aws/lambda/{exporter}", "startTime": ms_of(now - timedelta(hours=12))},
        None,
        read_only=True,
    )

    # ---- logs -----------------------------------------------------------------------------------------
    eg = f"/aws/lambda/{exporter}"
    for at, total in runs:
        stream = kit.lambda_stream(at, "$LATEST")
        run_id = at.astimezone(TZ).strftime("%Y-%m-%d")
        pages = max(1, (total + 9) // 10)
        body = [
            "{ts}\t{rid}\t[INFO]\t"
            + jc({"level": "INFO", "message": "export run started", "run": run_id, "queue": queue})
            + "\n",
            "{ts}\t{rid}\t[INFO]\t"
            + jc(
                {
                    "level": "INFO",
                    "message": "queue drained",
                    "run": run_id,
                    "messages": total,
                    "receive_calls": pages + 1,
                }
            )
            + "\n",
            "{ts}\t{rid}\t[INFO]\t"
            + jc(
                {
                    "level": "INFO",
                    "message": "wrote export file",
                    "run": run_id,
                    "key": f"s3://{bucket}/invoices/{run_id}/invoices-{run_id}.csv",
                    "rows": total,
                }
            )
            + "\n",
            "{ts}\t{rid}\t[INFO]\t"
            + jc(
                {
                    "level": "INFO",
                    "message": "uploaded to ERP inbound",
                    "run": run_id,
                    "host": "sftp.erp.corvelsupply.internal",
                    "rows": total,
                }
            )
            + "\n",
        ]
        if total > 0 and rng.random() < 0.6:
            body.insert(
                2,
                "{ts}\t{rid}\t[WARNING]\t"
                + jc(
                    {
                        "level": "WARNING",
                        "message": "invoice has no ERP customer code, exported with placeholder",
                        "run": run_id,
                        "invoice": f"INV-{rng.randint(100000, 999999)}",
                    }
                )
                + "\n",
            )
        dur = 1800 + total * 21.5
        kit.lambda_invocation(
            eg,
            stream,
            at,
            dur,
            1024,
            rng.randint(180, 260),
            body,
            init_ms=rng.uniform(600, 900),
            runtime="python3.12",
        )
    fg = f"/aws/lambda/{finaliser}"
    t = start + timedelta(minutes=rng.randint(1, 30))
    while t < now:
        if sent_per_min(t) > 0.5:
            inv = f"INV-{rng.randint(100000, 999999)}"
            kit.lambda_invocation(
                fg,
                kit.lambda_stream(floor_to(t, 86400), "$LATEST")
                if rng.random() < 0.02
                else f"{t:%Y/%m/%d}/[$LATEST]{kit.hex(4)}{'a' * 28}",
                t,
                rng.uniform(220, 420),
                1024 if t >= mem_at else 512,
                rng.randint(140, 190),
                [
                    "{ts}\t{rid}\t[INFO]\t"
                    + jc(
                        {
                            "level": "INFO",
                            "message": "invoice finalised",
                            "invoice": inv,
                            "lines": rng.randint(1, 60),
                            "export_queued": True,
                        }
                    )
                    + "\n"
                ]
                + (
                    [
                        "{ts}\t{rid}\t[WARNING]\t"
                        + jc(
                            {
                                "level": "WARNING",
                                "message": "customer tax number failed ABN checksum; invoice kept",
                                "invoice": inv,
                            }
                        )
                        + "\n"
                    ]
                    if rng.random() < 0.05
                    else []
                ),
                runtime="python3.12",
            )
        t += timedelta(minutes=rng.uniform(25, 45) if t < fine_from else rng.uniform(8, 16))

    # ---- resources ------------------------------------------------------------------------------------
    tags = {"team": "finance-systems", "env": "prod", "platform-module": "sqs-standard/v2"}
    q_created = created + timedelta(days=5)
    kit.res(
        "sqs",
        "Queue",
        queue_item(
            kit,
            queue,
            q_created,
            change_at,
            visibility=300,
            retention=RETENTION_AFTER,
            redrive_to=dlq,
            max_receive=5,
            tags=tags,
            extra={"ApproximateNumberOfMessages": str(round(visible[floor_to(now, 60)]))},
        ),
    )
    kit.res(
        "sqs",
        "Queue",
        queue_item(kit, dlq, q_created, q_created, visibility=30, retention=1209600, tags=tags),
    )
    kit.res(
        "sqs",
        "Queue",
        queue_item(kit, newq, change_at, change_at, visibility=300, retention=RETENTION_AFTER, tags={**tags}),
    )
    env = {"EXPORT_QUEUE_URL": f"{qurl}/{queue}", "EXPORT_BUCKET": bucket}
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            finaliser,
            "python3.12",
            "finaliser.handler",
            f"{finaliser}-exec",
            1024,
            60,
            mem_at,
            env,
            None,
            "Finalises invoices and queues them for the ERP export",
        ),
    )
    kit.res(
        "lambda",
        "FunctionConfiguration",
        lambda_item(
            kit,
            exporter,
            "python3.12",
            "export.handler",
            f"{exporter}-exec",
            1024,
            900,
            exp_deploy,
            env,
            None,
            "Nightly export of finalised invoices to the ERP",
        ),
    )
    kit.res(
        "events",
        "DescribeRuleResponse",
        {
            "Name": rule,
            "Arn": kit.arn("events", f"rule/{rule}"),
            "ScheduleExpression": f"cron(0 {int((2 - off) % 24)} * * ? *)",
            "State": "ENABLED",
            "Description": "02:00 Sydney: drain invoice-export-requests into the ERP import file",
            "EventBusName": "default",
            "CreatedBy": kit.account,
        },
    )
    kit.res("s3", "Bucket", {"Name": bucket, "CreationDate": iso(created), "BucketRegion": kit.region})
    for g in (eg, fg):
        kit.res("logs", "LogGroup", log_group_item(kit, g, created, retention=90))
    kit.res(
        "iam",
        "RoleInlinePolicy",
        {
            "RoleName": f"{exporter}-exec",
            "PolicyName": "export",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                        "Resource": kit.arn("sqs", queue),
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["s3:PutObject"],
                        "Resource": f"arn:aws:s3:::{bucket}/invoices/*",
                    },
                ],
            },
        },
    )

    last = runs[-1][1] if runs else 0
    prior = sum(v for k, v in sent.items() if k.astimezone(TZ).date() == prev)
    manifest: dict[str, Any] = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": (
                f"Finance says this morning's ERP invoice import only had {last} invoices in it, and yesterday we "
                f"finalised about {int(round(prior, -2)):,} as usual. The 2am export job shows no errors. "
                "Where did the rest of the invoices go?"
            ),
            "alarm_event": None,
            "timezone": "Australia/Sydney",
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": f"{qurl}/{queue}",
                "category": "change",
                "failure_mode": "sqs-retention-shorter-than-consumer-interval",
                "event_id": culprit,
            },
            "also_accept": [queue, kit.arn("sqs", queue)],
            "actions": ["rollback"],
            "chain": [
                f"{queue} MessageRetentionPeriod cut from 4 days to 1 hour in yesterday afternoon's Terraform apply",
                "invoice export requests older than an hour are deleted by SQS before the nightly run",
                f"{exporter} at 02:00 drains only the last hour's messages",
                "the ERP import file holds a few dozen invoices",
            ],
        },
    }
    return kit.bundle(manifest)


def ms_of(t: datetime) -> int:
    return int(t.timestamp() * 1000)
