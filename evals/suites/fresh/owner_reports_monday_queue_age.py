"""Monday-morning owner-report fan-out pages on queue age, as it does every week; the workers are draining it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzj import Ctx, iso, minutes

NAME = "owner-reports-monday-queue-age"
TITLE = "owner-report-jobs oldest-message age page early on Monday; are the weekly owner reports stuck?"
SUMMARY = (
    "The weekly Monday 06:00 fan-out enqueues every landlord's report at once; the concurrency-capped render "
    "worker drains it steadily over about 90 minutes and the age alarm fires and clears every Monday."
)

FANOUT = "owner-report-fanout"
FN = "owner-report-render"
PORTAL = "tenant-portal-api"
Q = "owner-report-jobs"
DLQ = "owner-report-jobs-dlq"
SCHED = "owner-reports-weekly"
DB = "keyhold-reporting-pg"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "eu-west-2")
    r = c.rng
    monday = datetime(2026, 11, 16, tzinfo=UTC) + timedelta(weeks=r.randint(0, 3))
    run = monday + timedelta(hours=6, seconds=r.uniform(0.5, 20))
    start = (run - timedelta(hours=3, minutes=r.randint(0, 20))).replace(second=0, microsecond=0)
    now = (run + timedelta(minutes=r.randint(62, 72), seconds=r.randint(0, 59))).replace(microsecond=0)
    reports = r.randint(9_200, 11_800)
    conc = 8
    per_render = r.uniform(3.6, 4.3)  # seconds
    rate = conc * 60 / (per_render + 0.15)  # per minute

    sent: dict[datetime, float] = {}
    recv: dict[datetime, float] = {}
    visible: dict[datetime, float] = {}
    age: dict[datetime, float] = {}
    errs: dict[datetime, float] = {}
    backlog = 0.0
    oldest: datetime | None = None
    fan_min = run.replace(second=0, microsecond=0)
    transient = sorted(r.sample(range(5, 60), 2))
    for m in minutes(start, now + timedelta(minutes=1)):
        ad_hoc = 1.0 if r.random() < 0.12 else 0.0
        s = ad_hoc
        if fan_min <= m < fan_min + timedelta(minutes=2):
            s += reports / 2
        sent[m] = s
        if backlog < 1 and s:
            oldest = m + timedelta(seconds=r.uniform(0, 30))
        backlog += s
        done = min(backlog, rate * r.uniform(0.96, 1.03))
        if m == fan_min:
            done = min(backlog, rate * 0.6)
        recv[m] = done
        backlog -= done
        visible[m] = round(backlog)
        errs[m] = 1.0 if m >= fan_min and int((m - fan_min).total_seconds() // 60) in transient else 0.0
        if backlog >= 1 and oldest is not None:
            age[m] = (m - oldest).total_seconds() + 30
        else:
            age[m] = r.uniform(1, 8) if s else 0.0

    # --- metrics ----------------------------------------------------------------------------------
    qd = {"QueueName": Q}
    c.series("AWS/SQS", "NumberOfMessagesSent", qd, "Count", start, now, lambda t: round(sent[t]))
    c.series(
        "AWS/SQS", "NumberOfMessagesReceived", qd, "Count", start, now, lambda t: round(recv[t] + errs[t])
    )
    c.series("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", start, now, lambda t: round(recv[t]))
    c.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", start, now, lambda t: visible[t])
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: float(conc if visible[t] else round(recv[t])),
    )
    c.series(
        "AWS/SQS",
        "NumberOfEmptyReceives",
        qd,
        "Count",
        start,
        now,
        lambda t: float(r.randint(40, 70)) if not visible[t] else float(r.randint(0, 3)),
    )
    agem = c.series(
        "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", start, now, lambda t: round(age[t])
    )
    fd = {"FunctionName": FN}
    busy = {t for t in recv if recv[t] >= 1}
    c.series(
        "AWS/Lambda",
        "Invocations",
        fd,
        "Count",
        start,
        now,
        lambda t: round(recv[t] + errs[t]) if t in busy else None,
    )
    ferr = c.series("AWS/Lambda", "Errors", fd, "Count", start, now, lambda t: errs[t] if t in busy else None)
    c.series(
        "AWS/Lambda",
        "Duration",
        fd,
        "Milliseconds",
        start,
        now,
        lambda t: per_render * 1000 * r.uniform(0.95, 1.06) if t in busy else None,
    )
    c.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        "Count",
        start,
        now,
        lambda t: float(conc if visible[t] else 1) if t in busy else None,
    )
    c.series(
        "AWS/Lambda",
        "Throttles",
        fd,
        "Count",
        start,
        now,
        lambda t: float(r.randint(15, 70)) if visible[t] > 50 else (0.0 if t in busy else None),
    )
    gd = {"FunctionName": FANOUT}
    c.series("AWS/Lambda", "Invocations", gd, "Count", start, now, lambda t: 1.0 if t == fan_min else None)
    c.series("AWS/Lambda", "Errors", gd, "Count", start, now, lambda t: 0.0 if t == fan_min else None)
    c.series(
        "AWS/Lambda",
        "Duration",
        gd,
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(88_000, 104_000) if t == fan_min else None,
    )
    c.series("AWS/SES", "Send", {}, "Count", start, now, lambda t: round(recv[t]) + r.randint(0, 4))
    c.series("AWS/SES", "Delivery", {}, "Count", start, now, lambda t: max(0, round(recv[t] * 0.985)))
    c.series(
        "AWS/SES",
        "Bounce",
        {},
        "Count",
        start,
        now,
        lambda t: float(r.randint(0, 3)) if recv[t] > 10 else None,
    )
    dbd = {"DBInstanceIdentifier": DB}
    cpu = c.series(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        start,
        now,
        lambda t: r.uniform(48, 63) if visible[t] > 0 else r.uniform(4, 11),
    )
    c.series(
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Count",
        start,
        now,
        lambda t: float(r.randint(14, 18)) if visible[t] > 0 else float(r.randint(4, 7)),
    )
    c.series(
        "AWS/RDS",
        "ReadIOPS",
        dbd,
        "Count/Second",
        start,
        now,
        lambda t: r.uniform(900, 1500) if visible[t] > 0 else r.uniform(20, 80),
    )
    pd = {"FunctionName": PORTAL}
    c.series(
        "AWS/Lambda",
        "Invocations",
        pd,
        "Count",
        start,
        now,
        lambda t: float(r.randint(2, 12) + (40 if t.hour >= 6 else 0)),
    )
    c.series("AWS/Lambda", "Errors", pd, "Count", start, now, lambda t: float(r.choice([0] * 20 + [1])))

    # --- alarms -----------------------------------------------------------------------------------
    topic = c.arn("sns", "keyhold-oncall")
    prior = []
    for wk in (3, 2, 1):
        base = run - timedelta(weeks=wk)
        prior.append(
            (
                base + timedelta(minutes=r.randint(34, 37), seconds=r.randint(0, 59)),
                base + timedelta(minutes=r.randint(84, 99), seconds=r.randint(0, 59)),
            )
        )
    age_alarm = c.alarm(
        f"{Q}-oldest-age",
        "Owner report jobs waiting more than 30 minutes",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        1,
        1800,
        "GreaterThanThreshold",
        agem,
        start,
        now,
        actions=[topic],
        prior=prior,
    )
    c.alarm(
        f"{FN}-errors",
        "Owner report render errors",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        300,
        1,
        10,
        "GreaterThanOrEqualToThreshold",
        ferr,
        start,
        now,
        missing="notBreaching",
        actions=[topic],
    )
    c.alarm(
        f"{DLQ}-visible",
        "Owner reports dead-lettered",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": DLQ},
        "Maximum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        {},
        start,
        now,
        missing="notBreaching",
        actions=[topic],
    )
    c.alarm(
        f"{DB}-cpu-high",
        "Reporting DB CPU above 80%",
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        cpu,
        start,
        now,
        actions=[topic],
    )

    # --- logs -------------------------------------------------------------------------------------
    group = f"/aws/lambda/{FN}"
    streams = [c.lambda_stream(start) for _ in range(2)]
    for m in minutes(start, now):
        n = round(recv[m])
        if not n:
            continue
        if n > 20 and len(streams) < conc + 2:
            streams += [c.lambda_stream(m) for _ in range(conc)]
        k = n if n < 5 else 6  # a sample of the busy minutes
        for j in range(k):
            t0 = m + timedelta(seconds=j * 60 / k + r.uniform(0, 5))
            d = per_render * 1000 * r.uniform(0.9, 1.1)
            owner = f"own_{c.upper(10, 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789')}"
            props = r.randint(1, 14)
            c.invocation(
                group,
                r.choice(streams),
                t0,
                round(d, 2),
                1024,
                r.randint(260, 330),
                [
                    (
                        r.uniform(3, 10),
                        f"[INFO]\t{{ts}}\t{{rid}}\tRendering weekly statement for {owner} "
                        f"({props} properties, week ending {(monday - timedelta(days=1)):%Y-%m-%d})\n",
                    ),
                    (
                        d - r.uniform(80, 200),
                        f"[INFO]\t{{ts}}\t{{rid}}\tReport mailed for {owner}, SES MessageId="
                        f"0100019{c.hexid(9)}-{c.uid()}-000000\n",
                    ),
                ],
            )
        if errs[m]:
            t0 = m + timedelta(seconds=r.uniform(5, 50))
            c.invocation(
                group,
                r.choice(streams),
                t0,
                812.4,
                1024,
                291,
                [
                    (
                        800,
                        "[ERROR] ClientError: An error occurred (Throttling) when calling the SendRawEmail operation "
                        "(reached max retries: 4): Maximum sending rate exceeded.\nTraceback (most recent call last):\n"
                        '  File "/var/task/handler.py", line 58, in handler\n    mail_report(owner, pdf)\n',
                    ),
                ],
            )
    fg = f"/aws/lambda/{FANOUT}"
    ft = run + timedelta(seconds=r.uniform(0.2, 1))
    fd_ms = r.uniform(88_000, 104_000)
    c.invocation(
        fg,
        c.lambda_stream(ft),
        ft,
        round(fd_ms, 2),
        512,
        188,
        [
            (
                1200,
                f"[INFO]\t{{ts}}\t{{rid}}\tSelected {reports} owners with active lets for week ending "
                f"{(monday - timedelta(days=1)):%Y-%m-%d}\n",
            ),
            (
                fd_ms - 300,
                f"[INFO]\t{{ts}}\t{{rid}}\tEnqueued {reports} report jobs to {Q} in {-(-reports // 10)} "
                "SendMessageBatch calls\n",
            ),
        ],
        init_ms=r.uniform(420, 610),
    )

    # --- resources --------------------------------------------------------------------------------
    created = monday - timedelta(days=r.randint(300, 800))
    c.role("owner-reports-role", "lambda.amazonaws.com", created)
    c.role("scheduler-owner-reports", "scheduler.amazonaws.com", created)
    fn = c.lambda_fn(
        FN,
        "owner-reports-role",
        timeout=60,
        memory=1024,
        modified=monday - timedelta(days=r.randint(9, 30)),
        env={"REPORT_DB_SECRET": "prod/reporting/ro", "FROM_ADDRESS": "statements@keyhold.example"},
        description="Renders and mails one landlord's weekly statement",
    )
    fo = c.lambda_fn(FANOUT, "owner-reports-role", timeout=300, memory=512, modified=created)
    portal_deploy = run - timedelta(minutes=r.randint(20, 40))
    c.lambda_fn(
        PORTAL,
        "owner-reports-role",
        timeout=15,
        memory=512,
        modified=portal_deploy,
        runtime="nodejs20.x",
        handler="dist/index.handler",
    )
    c.res("lambda", "FunctionConcurrency", {"FunctionName": FN, "ReservedConcurrentExecutions": conc})
    qarn = c.queue(
        Q,
        {
            "VisibilityTimeout": "360",
            "ApproximateNumberOfMessages": str(int(visible[max(visible)])),
            "RedrivePolicy": f'{{"deadLetterTargetArn":"{c.arn("sqs", DLQ)}","maxReceiveCount":5}}',
        },
        created,
    )
    c.queue(DLQ, {"MessageRetentionPeriod": "1209600"}, created)
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
            "EventSourceMappingArn": c.arn("lambda", f"event-source-mapping:{esm}"),
        },
    )
    c.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": c.arn("scheduler", f"schedule/reports/{SCHED}"),
            "GroupName": "reports",
            "Name": SCHED,
            "ScheduleExpression": "cron(0 6 ? * MON *)",
            "ScheduleExpressionTimezone": "Europe/London",
            "State": "ENABLED",
            "CreationDate": iso(created),
            "LastModificationDate": iso(created),
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Description": "Weekly landlord statements",
            "Target": {
                "Arn": fo["FunctionArn"],
                "RoleArn": f"arn:aws:iam::{c.account}:role/scheduler-owner-reports",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 2},
            },
            "ActionAfterCompletion": "NONE",
        },
    )
    c.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": DB,
            "DBInstanceClass": "db.r6g.large",
            "Engine": "postgres",
            "DBInstanceStatus": "available",
            "EngineVersion": "15.8",
            "MultiAZ": False,
            "AvailabilityZone": "eu-west-2a",
            "AllocatedStorage": 400,
            "StorageType": "gp3",
            "Endpoint": {"Address": f"{DB}.c{c.hexid(11)}.eu-west-2.rds.amazonaws.com", "Port": 5432},
            "InstanceCreateTime": iso(created),
            "PreferredBackupWindow": "03:30-04:00",
            "DBInstanceArn": c.arn("rds", f"db:{DB}"),
            "ReadReplicaSourceDBInstanceIdentifier": "keyhold-core-pg",
        },
    )
    for g in (group, fg):
        c.log_group(g, 30, created, r.randint(10**8, 10**9))
    bk = start + timedelta(minutes=r.randint(20, 50))
    if bk.hour < 3:
        bk = monday + timedelta(hours=3, minutes=31)
    c.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": DB,
                "SourceType": "db-instance",
                "Message": "Backing up DB instance",
                "EventCategories": ["backup"],
                "Date": iso(bk),
                "SourceArn": c.arn("rds", f"db:{DB}"),
            },
        }
    )
    c.events.append(
        {
            "source": "rds",
            "item": {
                "SourceIdentifier": DB,
                "SourceType": "db-instance",
                "Message": "Finished DB Instance backup",
                "EventCategories": ["backup"],
                "Date": iso(bk + timedelta(minutes=r.randint(6, 14))),
                "SourceArn": c.arn("rds", f"db:{DB}"),
            },
        }
    )

    # --- cloudtrail -------------------------------------------------------------------------------
    ci = c.role_identity("gha-deploy-portal", "GitHubActions", portal_deploy)
    ua = "aws-sdk-js/3.637.0 ua/2.0 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.16.0 api/lambda#3.637.0"
    c.ct(
        portal_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {"functionName": PORTAL, "zipFile": "HIDDEN_DUE_TO_SECURITY_REASONS", "publish": True},
        {
            "functionName": PORTAL,
            "functionArn": c.arn("lambda", f"function:{PORTAL}"),
            "runtime": "nodejs20.x",
            "timeout": 15,
            "memorySize": 512,
            "version": str(r.randint(140, 220)),
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
        },
        read_only=False,
        agent=ua,
        ip="4.208.26.197",
    )
    c.ct(
        portal_deploy + timedelta(seconds=30),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        {"functionName": PORTAL, "name": "live", "functionVersion": "$LATEST"},
        None,
        read_only=False,
        agent=ua,
        ip="4.208.26.197",
    )
    c.service_assume(
        run - timedelta(seconds=1), "scheduler.amazonaws.com", "scheduler-owner-reports", c.hexid(32)
    )
    for _ in range(6):
        w = run + timedelta(seconds=r.randint(5, int((now - run).total_seconds())))
        c.service_assume(w, "lambda.amazonaws.com", "owner-reports-role", FN)
    c.service_assume(run, "lambda.amazonaws.com", "owner-reports-role", FANOUT)
    kms = c.role_identity("owner-reports-role", FN, run)
    for _ in range(4):
        w = run + timedelta(seconds=r.randint(5, 600))
        c.ct(
            w,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            kms,
            {"secretId": "prod/reporting/ro"},
            None,
            read_only=True,
            agent="Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.227 "
            "lang/python#3.12.7 exec-env/AWS_Lambda_python3.12",
            ip="18.133.40.12",
        )
    c.tooling_reads(
        start,
        now,
        r.randint(30, 44),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("monitoring.amazonaws.com", "DescribeAlarmHistory", {"alarmName": f"{Q}-oldest-age"}),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("rds.amazonaws.com", "DescribeDBInstances", None),
            ("scheduler.amazonaws.com", "ListSchedules", None),
        ],
    )
    page = age_alarm["last"]["when"] if age_alarm["last"] else run + timedelta(minutes=36)
    question = (
        f"Got paged at {page:%H:%M} for {Q} age. Are the weekly owner reports stuck? Landlords expect them "
        "before 9, and last month we had complaints."
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": c.account,
        "region": c.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {
            "question": question,
            "alarm_event": c.alarm_event(age_alarm) if age_alarm["last"] else None,
            "timezone": "Europe/London",
        },
        "truth": {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    }
    return c.bundle(manifest, now)
