"""Approved-timesheet PDFs partly stop arriving after a shared Terraform module lowers a worker's timeout."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzj import Ctx, iso, minutes

NAME = "timesheet-pdf-emails-partly-missing"
TITLE = "Approvers say some timesheet PDFs never arrive since early afternoon; PDF dead-letter queue alarm"
SUMMARY = (
    "A Terraform run standardising Lambda timeouts cut the SQS-driven PDF render worker's timeout, so large "
    "timesheets time out, retry and dead-letter while small ones still go out."
)

FN = "timesheet-pdf-render"
HOOK = "timesheet-webhook"
DIGEST = "approval-digest-hourly"
Q = "timesheet-pdf-jobs"
DLQ = "timesheet-pdf-jobs-dlq"
BUCKET = "clockwise-timesheet-pdfs-prod"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-central-1")
    r = c.rng
    day = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(
        days=r.choice([0, 1, 2, 3, 7, 8, 9, 14, 15, 16, 21, 22])
    )
    onset = day + timedelta(hours=12, minutes=r.randint(40, 95), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(40, 55))).replace(second=0)
    now = onset + timedelta(minutes=r.randint(48, 56))
    end = now
    old_timeout, new_timeout = 120, r.choice([15, 20, 25])
    mem = 1024
    sigma = 0.78
    median = r.uniform(7.0, 9.5)

    # --- simulate messages ------------------------------------------------------------------------
    attempts: dict[datetime, list[tuple[float, bool]]] = {}  # minute -> (duration s, ok)
    sent: dict[datetime, int] = {}
    deleted: dict[datetime, int] = {}
    to_dlq: list[datetime] = []
    inflight_retry: list[tuple[datetime, datetime]] = []  # (first sent, next receive)
    oldest: dict[datetime, float] = {}
    log_runs: list[tuple[datetime, float, bool, str, int, int]] = []
    pending: list[
        tuple[datetime, datetime, float, int, str, int]
    ] = []  # (sent, receive at, dur, n, id, pages)
    for m in minutes(start, now + timedelta(minutes=1)):
        local_h = (m + timedelta(hours=1)).hour + m.minute / 60
        rate = 9.0 + 4.0 * math.sin((local_h - 9.5) / 9.0 * math.pi)
        n = max(0, int(r.gauss(rate, 2.2)))
        sent[m] = n
        for _ in range(n):
            s = m + timedelta(seconds=r.uniform(0, 59))
            d = min(95.0, math.exp(r.gauss(math.log(median), sigma)))
            pages = max(1, int(d / 1.6 + r.uniform(0, 2)))
            pending.append((s, s + timedelta(seconds=r.uniform(0.05, 0.9)), d, 0, "ts_" + c.upper(8), pages))
    pending.sort(key=lambda p: p[1])
    i = 0
    while i < len(pending):
        s, at, d, k, tid, pages = pending[i]
        i += 1
        if at > now:
            if k > 0:
                inflight_retry.append((s, at))
            continue
        timeout = new_timeout if at >= onset else old_timeout
        dd = d * r.uniform(0.93, 1.07)
        ok = dd < timeout
        mm = at.replace(second=0, microsecond=0)
        attempts.setdefault(mm, []).append((min(dd, timeout), ok))
        log_runs.append((at, min(dd, timeout) * 1000, ok, tid, pages, k + 1))
        if ok:
            done = at + timedelta(seconds=dd)
            dm = done.replace(second=0, microsecond=0)
            deleted[dm] = deleted.get(dm, 0) + 1
        elif k + 1 >= 5:
            to_dlq.append(at + timedelta(seconds=360))
        else:
            nxt = at + timedelta(seconds=360 + r.uniform(0.2, 3))
            item = (s, nxt, d, k + 1, tid, pages)
            j = i
            while j < len(pending) and pending[j][1] < nxt:
                j += 1
            pending.insert(j, item)
            inflight_retry.append((s, nxt))

    # oldest message age: messages waiting for a retry still count
    waiting = [(p[0], p[1]) for p in pending]
    for m in minutes(start, now):
        ages = [(m - s0).total_seconds() for s0, at in waiting if s0 <= m < at]
        # the age metric sees a message until it is deleted; fresh ones are picked up in under a second
        oldest[m] = max([0.0] + [a for a in ages if a > 0])

    # --- metrics ----------------------------------------------------------------------------------
    fd = {"FunctionName": FN}
    c.series("AWS/Lambda", "Invocations", fd, "Count", start, now, lambda t: len(attempts.get(t, [])) or None)
    errs = c.series(
        "AWS/Lambda",
        "Errors",
        fd,
        "Count",
        start,
        now,
        lambda t: float(sum(1 for _, ok in attempts.get(t, []) if not ok)) if t in attempts else None,
    )
    for t, runs in sorted(attempts.items()):
        if t < now:
            c.dist("AWS/Lambda", "Duration", fd, "Milliseconds", t, [d * 1000 for d, _ in runs])
    c.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        "Count",
        start,
        now,
        lambda t: (
            max(1.0, round(sum(d for d, _ in attempts.get(t, [])) / 60 * 1.6)) if t in attempts else None
        ),
    )
    c.series("AWS/Lambda", "Throttles", fd, "Count", start, now, lambda t: 0.0 if t in attempts else None)
    qd = {"QueueName": Q}
    c.series("AWS/SQS", "NumberOfMessagesSent", qd, "Count", start, now, lambda t: float(sent.get(t, 0)))
    c.series(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        qd,
        "Count",
        start,
        now,
        lambda t: float(len(attempts.get(t, []))),
    )
    c.series(
        "AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", start, now, lambda t: float(deleted.get(t, 0))
    )
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: float(r.choice([0, 0, 0, 1])),
    )
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: float(sum(1 for s0, at in waiting if s0 <= t < at) + r.randint(0, 3)),
    )
    age = c.series(
        "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", start, now, lambda t: float(int(oldest[t]))
    )
    dlq_first = min(to_dlq) if to_dlq else now
    dd_ = {"QueueName": DLQ}
    dlq = c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd_,
        "Count",
        start,
        now,
        lambda t: float(sum(1 for x in to_dlq if x <= t)) if t >= dlq_first.replace(second=0) else None,
    )
    c.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        dd_,
        "Seconds",
        start,
        now,
        lambda t: float(int((t - dlq_first).total_seconds())) if t >= dlq_first else None,
    )
    c.series("AWS/SES", "Send", {}, "Count", start, now, lambda t: float(deleted.get(t, 0) + r.randint(0, 3)))
    c.series(
        "AWS/SES",
        "Delivery",
        {},
        "Count",
        start,
        now,
        lambda t: float(max(0, deleted.get(t, 0) + r.randint(-1, 2))),
    )
    c.series("AWS/SES", "Bounce", {}, "Count", start, now, lambda t: 1.0 if r.random() < 0.03 else None)
    hd = {"FunctionName": HOOK}
    c.series("AWS/Lambda", "Invocations", hd, "Count", start, now, lambda t: float(r.randint(18, 40)))
    c.series("AWS/Lambda", "Errors", hd, "Count", start, now, lambda t: float(1 if r.random() < 0.02 else 0))
    c.series("AWS/Lambda", "Duration", hd, "Milliseconds", start, now, lambda t: r.uniform(180, 900))
    gd = {"FunctionName": DIGEST}
    c.series(
        "AWS/Lambda",
        "Invocations",
        gd,
        "Count",
        start,
        now,
        lambda t: 1.0 if t.minute == 0 else None,
    )
    c.series("AWS/Lambda", "Errors", gd, "Count", start, now, lambda t: 0.0 if t.minute == 0 else None)
    db = {"DBInstanceIdentifier": "clockwise-pg-prod"}
    spike = start + timedelta(minutes=r.randint(40, 90))
    cpu = c.series(
        "AWS/RDS",
        "CPUUtilization",
        db,
        "Percent",
        start,
        now,
        lambda t: r.uniform(78, 88) if spike <= t < spike + timedelta(minutes=7) else r.uniform(22, 41),
    )
    c.series("AWS/RDS", "DatabaseConnections", db, "Count", start, now, lambda t: float(r.randint(58, 74)))

    # --- alarms -----------------------------------------------------------------------------------
    topic = c.arn("sns", "clockwise-oncall")
    c.alarm(
        f"{FN}-errors",
        "PDF render worker errors (5 min sum)",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        300,
        1,
        5,
        "GreaterThanOrEqualToThreshold",
        errs,
        start,
        now,
        missing="notBreaching",
        actions=[topic],
    )
    dlq_alarm = c.alarm(
        f"{DLQ}-not-empty",
        "Timesheet PDF jobs are landing in the DLQ",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd_,
        "Maximum",
        60,
        1,
        0,
        "GreaterThanThreshold",
        dlq,
        start,
        now,
        missing="notBreaching",
        actions=[topic],
    )
    c.alarm(
        f"{Q}-oldest-age",
        "Oldest PDF job older than 30 min",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        2,
        1800,
        "GreaterThanThreshold",
        age,
        start,
        now,
        actions=[topic],
    )
    c.alarm(
        "clockwise-pg-prod-cpu-high",
        "Primary DB CPU > 75% for 5 min",
        "AWS/RDS",
        "CPUUtilization",
        db,
        "Average",
        60,
        5,
        75,
        "GreaterThanThreshold",
        cpu,
        start,
        now,
        actions=[topic],
    )

    # --- logs -------------------------------------------------------------------------------------
    group = f"/aws/lambda/{FN}"
    streams = [c.lambda_stream(start) for _ in range(6)]
    for at, dur, ok, tid, pages, _attempt in log_runs:
        if at > now:
            continue
        stream = r.choice(streams)
        used = r.randint(210, 380) + pages * 6
        lines = [
            (
                r.uniform(2, 9),
                f"[INFO]\t{{ts}}\t{{rid}}\tRendering timesheet {tid} approver_locale=de-DE pages={pages}\n",
            ),
        ]
        if ok:
            lines.append(
                (
                    dur - r.uniform(150, 400),
                    f"[INFO]\t{{ts}}\t{{rid}}\tUploaded s3://{BUCKET}/{at:%Y/%m}/{tid}.pdf "
                    f"({pages * r.randint(55, 80)} KB)\n",
                )
            )
            lines.append(
                (
                    dur - r.uniform(20, 120),
                    f"[INFO]\t{{ts}}\t{{rid}}\tApproval PDF mailed via SES, "
                    f"MessageId=0107019{c.hexid(9)}-{c.uid()}-000000\n",
                )
            )
            c.invocation(group, stream, at, round(dur, 2), mem, used, lines)
        else:
            lines.append(
                (
                    min(dur - 300, 14000),
                    f"[INFO]\t{{ts}}\t{{rid}}\tRendered {max(1, pages // 2)}/{pages} "
                    "pages, merging signature blocks\n",
                )
            )
            c.invocation(
                group, stream, at, round(dur + r.uniform(1, 40), 2), mem, used, lines, timeout_s=new_timeout
            )
    hg = f"/aws/lambda/{HOOK}"
    hs = c.lambda_stream(start)
    t = start
    while t < now:
        c.invocation(
            hg,
            hs,
            t,
            r.uniform(180, 900),
            256,
            r.randint(80, 95),
            [(40, "[INFO]\t{ts}\t{rid}\tApproval webhook delivered to payroll provider (202)\n")],
        )
        t += timedelta(seconds=r.randint(240, 600))
    dg = f"/aws/lambda/{DIGEST}"
    for m in minutes(start, now):
        if m.minute == 0:
            c.invocation(
                dg,
                c.lambda_stream(m),
                m + timedelta(seconds=r.uniform(1, 40)),
                r.uniform(2000, 5200),
                256,
                r.randint(90, 110),
                [
                    (
                        800,
                        "[INFO]\t{ts}\t{rid}\tQueued approval digests for "
                        f"{r.randint(40, 160)} approvers\n",
                    )
                ],
                init_ms=r.uniform(380, 520),
            )

    # --- resources --------------------------------------------------------------------------------
    created = day - timedelta(days=r.randint(200, 500))
    deploy = onset - timedelta(minutes=r.randint(70, 100))
    c.role("timesheet-pdf-render-role", "lambda.amazonaws.com", created)
    c.role("timesheet-webhook-role", "lambda.amazonaws.com", created)
    c.role("scheduler-approval-digest", "scheduler.amazonaws.com", created)
    fn = c.lambda_fn(
        FN,
        "timesheet-pdf-render-role",
        timeout=new_timeout,
        memory=mem,
        modified=onset,
        env={"PDF_BUCKET": BUCKET, "SES_CONFIGURATION_SET": "transactional", "FONT_CACHE": "/tmp/fonts"},
        description="Renders approved timesheets to PDF and mails them to approvers",
    )
    hook = c.lambda_fn(
        HOOK,
        "timesheet-webhook-role",
        timeout=20,
        memory=256,
        modified=onset - timedelta(seconds=6),
        env={"PAYROLL_ENDPOINT_SSM": "/clockwise/prod/payroll-endpoint"},
    )
    c.lambda_fn(DIGEST, "timesheet-webhook-role", timeout=60, memory=256, modified=created)
    qarn = c.queue(
        Q,
        {
            "VisibilityTimeout": "360",
            "RedrivePolicy": f'{{"deadLetterTargetArn":"{c.arn("sqs", DLQ)}","maxReceiveCount":5}}',
        },
        created,
        {"team": "timesheets", "env": "prod"},
    )
    c.queue(
        DLQ,
        {
            "MessageRetentionPeriod": "1209600",
            "ApproximateNumberOfMessages": str(sum(1 for x in to_dlq if x <= now)),
        },
        created,
        {"team": "timesheets", "env": "prod"},
    )
    esm = c.uid()
    c.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm,
            "BatchSize": 1,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": qarn,
            "FunctionArn": fn["FunctionArn"],
            "LastModified": iso(created),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "ScalingConfig": {"MaximumConcurrency": 20},
            "EventSourceMappingArn": c.arn("lambda", f"event-source-mapping:{esm}"),
        },
    )
    sched_mod = onset - timedelta(minutes=r.randint(25, 45))
    c.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": c.arn("scheduler", f"schedule/default/{DIGEST}"),
            "GroupName": "default",
            "Name": DIGEST,
            "ScheduleExpression": "cron(0 7-19 ? * MON-FRI *)",
            "ScheduleExpressionTimezone": "Europe/Berlin",
            "State": "ENABLED",
            "CreationDate": iso(created),
            "LastModificationDate": iso(sched_mod),
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 1},
            "Target": {
                "Arn": c.arn("lambda", f"function:{DIGEST}"),
                "RoleArn": f"arn:aws:iam::{c.account}:role/scheduler-approval-digest",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2},
            },
            "ActionAfterCompletion": "NONE",
        },
    )
    for g in (group, hg, dg):
        c.log_group(g, 30, created, r.randint(10**8, 10**9))
    c.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic,
            "Attributes": {
                "TopicArn": topic,
                "DisplayName": "clockwise on-call",
                "SubscriptionsConfirmed": "2",
            },
        },
    )

    # --- cloudtrail -------------------------------------------------------------------------------
    gha = c.role_identity("github-actions-deploy", "GitHubActions", deploy)
    ua_gha = (
        "aws-cli/2.17.4 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9"
    )
    c.ct(
        deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {
            "functionName": FN,
            "s3Bucket": "clockwise-artifacts-prod",
            "s3Key": f"timesheet-pdf-render/{c.hexid(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": FN,
            "functionArn": fn["FunctionArn"],
            "runtime": "python3.12",
            "handler": "app.handler",
            "codeSize": fn["CodeSize"],
            "timeout": old_timeout,
            "memorySize": mem,
            "lastModified": deploy.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "codeSha256": fn["CodeSha256"],
            "version": "$LATEST",
            "revisionId": c.uid(),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        agent=ua_gha,
        ip="20.57.79.12",
    )
    c.ct(
        deploy + timedelta(seconds=9),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        gha,
        {"functionName": FN},
        read_only=True,
        agent=ua_gha,
        ip="20.57.79.12",
    )
    sso = c.role_identity(
        "AWSReservedSSO_PlatformEngineer_9f3a1c2d7e", "lena.brandt@clockwise.example", sched_mod
    )
    c.ct(
        sched_mod,
        "scheduler.amazonaws.com",
        "UpdateSchedule",
        sso,
        {
            "Name": DIGEST,
            "GroupName": "default",
            "ScheduleExpression": "cron(0 7-19 ? * MON-FRI *)",
            "ScheduleExpressionTimezone": "Europe/Berlin",
            "FlexibleTimeWindow": {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 1},
            "State": "ENABLED",
            "Target": {
                "Arn": c.arn("lambda", f"function:{DIGEST}"),
                "RoleArn": f"arn:aws:iam::{c.account}:role/scheduler-approval-digest",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2},
            },
        },
        {"ScheduleArn": c.arn("scheduler", f"schedule/default/{DIGEST}")},
        read_only=False,
        agent="console.amazonaws.com",
        ip="81.2.69.142",
    )
    tf = c.role_identity("terraform-apply", "atlantis-" + str(r.randint(1200, 1900)), onset)
    ua_tf = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.9.5 (+https://www.terraform.io) terraform-provider-aws/5.72.1 "
        "(+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux "
        "lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/lambda#1.64.2"
    )
    ip_tf = "10.20.8.44"
    for k, f in enumerate((HOOK, FN, DIGEST)):
        w = onset - timedelta(seconds=40 - k * 3)
        c.ct(
            w,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            tf,
            {"functionName": f},
            read_only=True,
            agent=ua_tf,
            ip=ip_tf,
        )
        c.ct(
            w + timedelta(seconds=1),
            "lambda.amazonaws.com",
            "GetFunctionCodeSigningConfig",
            tf,
            {"functionName": f},
            read_only=True,
            agent=ua_tf,
            ip=ip_tf,
        )
        c.ct(
            w + timedelta(seconds=1),
            "lambda.amazonaws.com",
            "ListVersionsByFunction20150331",
            tf,
            {"functionName": f},
            read_only=True,
            agent=ua_tf,
            ip=ip_tf,
        )
    c.ct(
        onset - timedelta(seconds=6),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        tf,
        {"functionName": HOOK, "timeout": 20},
        {
            "functionName": HOOK,
            "functionArn": hook["FunctionArn"],
            "runtime": "python3.12",
            "timeout": 20,
            "memorySize": 256,
            "lastModified": (onset - timedelta(seconds=6)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
        },
        read_only=False,
        agent=ua_tf,
        ip=ip_tf,
    )
    culprit = c.ct(
        onset,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        tf,
        {"functionName": FN, "timeout": new_timeout},
        {
            "functionName": FN,
            "functionArn": fn["FunctionArn"],
            "runtime": "python3.12",
            "role": fn["Role"],
            "handler": "app.handler",
            "timeout": new_timeout,
            "memorySize": mem,
            "lastModified": onset.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        read_only=False,
        agent=ua_tf,
        ip=ip_tf,
    )
    for _ in range(6):
        w = start + timedelta(minutes=r.randint(0, int((now - start).total_seconds() // 60)))
        c.service_assume(w, "lambda.amazonaws.com", "timesheet-pdf-render-role", FN)
    for m in minutes(start, now):
        if m.minute == 0:
            c.service_assume(
                m + timedelta(seconds=r.randint(0, 20)),
                "scheduler.amazonaws.com",
                "scheduler-approval-digest",
                c.hexid(32),
            )
    c.tooling_reads(
        start,
        now,
        r.randint(38, 52),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "timesheet"}),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": FN}),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {
                    "queueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{Q}",
                    "attributeNames": ["All"],
                },
            ),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("logs.amazonaws.com", "DescribeLogGroups", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("scheduler.amazonaws.com", "ListSchedules", None),
        ],
    )

    q_time = (now - timedelta(minutes=r.randint(2, 6)) + timedelta(hours=1)).strftime("%H:%M")
    guess = onset + timedelta(hours=1, minutes=r.randint(5, 20))
    around = f"{(guess.hour - 1) % 12 + 1}:{guess.minute // 15 * 15:02d}"
    question = (
        f"It's {q_time} here. Approvers in a few companies say the PDF of approved timesheets never reached their "
        f"inbox this afternoon, roughly since {around}pm? Others got theirs fine. And the PDF DLQ alarm just went "
        "off. Is SES acting up again?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": c.account,
        "region": c.region,
        "start": iso(start),
        "end": iso(end),
        "now": iso(now),
        "trigger": {
            "question": question,
            "alarm_event": c.alarm_event(dlq_alarm) if dlq_alarm["last"] else None,
            "timezone": "Europe/Berlin",
        },
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": FN,
                "category": "change",
                "failure_mode": "lambda-timeout-lowered",
                "event_id": culprit["eventID"],
            },
            "also_accept": [fn["FunctionArn"]],
            "actions": ["rollback", "reconfigure"],
            "chain": [FN, Q, DLQ, "ses"],
        },
    }
    return c.bundle(manifest, now)
