"""The nightly usage rollup Lambda fails all its attempts; yesterday's partner usage files are missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zq import (
    Ctx,
    Rec,
    Sample,
    alarm_event,
    ct,
    dist,
    diurnal,
    evaluate_alarm,
    iam_role,
    iso,
    iso_ms,
    lambda_config,
    lambda_invocation_logs,
    log_group,
    metric_alarm,
    noisy,
    poisson,
    role_session,
    series,
    sqs_queue,
    sso_user,
    timeline3,
)

NAME = "usage-rollup-nightly-errors"
TITLE = "usage-rollup-nightly Errors alarm at lunchtime; partners missing yesterday's usage files"
SUMMARY = (
    "The nightly usage rollup Lambda's run time has grown with the tenant count night after night and now "
    "reaches the 900-second Lambda maximum; the run and both async retries time out."
)

ZONE = ZoneInfo("Australia/Sydney")
FN = "usage-rollup-nightly"


def build(seed: int) -> Bundle:
    ctx = Ctx(NAME, seed, "730552814906", "ap-southeast-2")
    rng = ctx.rng
    day = datetime(2024, 10, 8, tzinfo=UTC) + timedelta(days=rng.randrange(0, 40))
    run = day.replace(hour=1, minute=30, second=0) + timedelta(milliseconds=rng.randrange(300, 2500))
    onset = run + timedelta(seconds=900)
    now = onset + timedelta(minutes=rng.randrange(48, 80))
    start = (run - timedelta(days=14)).replace(hour=0, minute=0, second=0, microsecond=0)
    times = timeline3(start, now - timedelta(hours=12), run - timedelta(hours=3), now - timedelta(minutes=1))
    created = start - timedelta(days=rng.randrange(300, 700))

    tenants_today = rng.randrange(1180, 1420)
    growth = rng.uniform(0.018, 0.026)  # tenants and their events grow every night

    def tenants(night: int) -> int:
        return int(tenants_today * (1 - growth * 0.35) ** night)

    nights = list(range(14, -1, -1))
    last_night = rng.uniform(874.0, 893.0)
    # tonight's run would need last_night / (1 - growth) seconds: over the ceiling
    growth = max(growth, 1 - last_night / 903.0)
    durations = {
        n: last_night * (1 - growth) ** (n - 1) * (noisy(rng, 1.0, 0.008) if n > 1 else 1.0) for n in nights
    }
    # AWS's async retries: about a minute after the first failure, then about two minutes after the second
    attempts = [run]
    attempts.append(attempts[-1] + timedelta(seconds=900 + rng.randrange(55, 80)))
    attempts.append(attempts[-1] + timedelta(seconds=900 + rng.randrange(115, 150)))
    attempts = [a for a in attempts if a + timedelta(seconds=900) <= now]

    # --- resources ----------------------------------------------------------------------------
    role = iam_role(ctx, "usage-rollup-nightly-role", "lambda.amazonaws.com", created)
    ingest_role = iam_role(ctx, "usage-ingest-role", "lambda.amazonaws.com", created)
    export_role = iam_role(ctx, "partner-report-export-role", "lambda.amazonaws.com", created)
    hook_role = iam_role(ctx, "tenant-webhook-dispatch-role", "lambda.amazonaws.com", created)
    fail_q = "usage-rollup-failures"
    fail_arn = sqs_queue(ctx, fail_q, created, {"MessageRetentionPeriod": "1209600"}, {"team": "billing"})
    code_deploy = run - timedelta(days=rng.randrange(3, 6), hours=rng.randrange(1, 5))
    fn = lambda_config(
        ctx,
        FN,
        "python3.12",
        "rollup.main.handler",
        role,
        3008,
        900,
        code_deploy,
        {
            "EVENTS_TABLE": "usage-events",
            "DAILY_TABLE": "usage-daily",
            "EXPORT_BUCKET": "tallyhub-partner-usage-prod",
            "DONE_TOPIC_ARN": ctx.arn("sns", "usage-rollup-complete"),
            "LOG_LEVEL": "INFO",
        },
        description="Rolls up the previous UTC day's usage events per tenant",
    )
    ingest = lambda_config(
        ctx,
        "usage-ingest",
        "python3.12",
        "ingest.api.handler",
        ingest_role,
        1024,
        15,
        created + timedelta(days=200),
    )
    export = lambda_config(
        ctx,
        "partner-report-export",
        "nodejs20.x",
        "dist/export.handler",
        export_role,
        1024,
        120,
        run - timedelta(minutes=18),
    )
    lambda_config(
        ctx,
        "tenant-webhook-dispatch",
        "nodejs20.x",
        "dist/webhooks.handler",
        hook_role,
        512,
        30,
        created + timedelta(days=90),
    )
    ctx.resource(
        "lambda",
        "FunctionEventInvokeConfig",
        {
            "LastModified": iso(created + timedelta(days=3)),
            "FunctionArn": fn["FunctionArn"] + ":$LATEST",
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": fail_arn}},
        },
    )
    rule_arn = ctx.arn("events", "rule/usage-rollup-nightly-0130")
    ctx.resource(
        "events",
        "Rule",
        {
            "Name": "usage-rollup-nightly-0130",
            "Arn": rule_arn,
            "State": "ENABLED",
            "Description": "Roll up yesterday's (UTC) usage at 01:30 UTC",
            "ScheduleExpression": "cron(30 1 * * ? *)",
            "EventBusName": "default",
        },
    )
    for table, rcu_mode in (("usage-events", "PAY_PER_REQUEST"), ("usage-daily", "PAY_PER_REQUEST")):
        ctx.resource(
            "dynamodb",
            "TableDescription",
            {
                "TableName": table,
                "TableArn": ctx.arn("dynamodb", f"table/{table}"),
                "TableId": ctx.uuid(),
                "TableStatus": "ACTIVE",
                "CreationDateTime": iso(created),
                "KeySchema": [
                    {"AttributeName": "tenant_id", "KeyType": "HASH"},
                    {"AttributeName": "ts" if table == "usage-events" else "day", "KeyType": "RANGE"},
                ],
                "AttributeDefinitions": [
                    {"AttributeName": "tenant_id", "AttributeType": "S"},
                    {"AttributeName": "ts" if table == "usage-events" else "day", "AttributeType": "S"},
                ],
                "BillingModeSummary": {
                    "BillingMode": rcu_mode,
                    "LastUpdateToPayPerRequestDateTime": iso(created),
                },
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randrange(40, 90) * 10**9
                if table == "usage-events"
                else rng.randrange(2, 6) * 10**8,
                "ItemCount": rng.randrange(300, 700) * 10**6
                if table == "usage-events"
                else rng.randrange(300, 600) * 10**3,
                "DeletionProtectionEnabled": True,
            },
        )
    ctx.resource(
        "sns",
        "Topic",
        {
            "TopicArn": ctx.arn("sns", "usage-rollup-complete"),
            "Attributes": {
                "TopicArn": ctx.arn("sns", "usage-rollup-complete"),
                "Owner": ctx.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "1",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    ctx.resource(
        "sns",
        "Subscription",
        {
            "SubscriptionArn": ctx.arn("sns", "usage-rollup-complete:" + ctx.uuid()),
            "TopicArn": ctx.arn("sns", "usage-rollup-complete"),
            "Protocol": "lambda",
            "Endpoint": export["FunctionArn"],
            "Owner": ctx.account,
            "Attributes": {"PendingConfirmation": "false"},
        },
    )
    for g in (FN, "usage-ingest", "partner-report-export", "tenant-webhook-dispatch"):
        log_group(ctx, f"/aws/lambda/{g}", created, 90)

    # --- metrics ------------------------------------------------------------------------------
    def night_of(t: datetime) -> int | None:
        delta = (run.date() - t.date()).days
        return delta if 0 <= delta <= 14 else None

    run_starts = {n: (run - timedelta(days=n)) for n in nights}

    def rollup_invocations(t: datetime) -> tuple[float, float, bool] | None:
        """(count, duration ms, timed out) for invocations that end in minute t."""
        for n in nights[:-1]:
            end = run_starts[n] + timedelta(seconds=durations[n])
            if end.replace(second=0, microsecond=0) == t:
                return 1.0, durations[n] * 1000, False
        for a in attempts:
            end = a + timedelta(seconds=900)
            if end.replace(second=0, microsecond=0) == t:
                return 1.0, 900000.0, True
        return None

    dims = {"FunctionName": FN}
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Invocations",
        dims,
        "Count",
        lambda t: 1.0 if rollup_invocations(t) else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Errors",
        dims,
        "Count",
        lambda t: (1.0 if r[2] else 0.0) if (r := rollup_invocations(t)) else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Duration",
        dims,
        "Milliseconds",
        lambda t: round(r[1], 2) if (r := rollup_invocations(t)) else None,
    )

    def running(t: datetime) -> bool:
        for n in nights[:-1]:
            if run_starts[n] <= t + timedelta(seconds=59) and t < run_starts[n] + timedelta(
                seconds=durations[n]
            ):
                return True
        return any(a <= t + timedelta(seconds=59) and t < a + timedelta(seconds=900) for a in attempts)

    series(
        ctx, times, "AWS/Lambda", "ConcurrentExecutions", dims, "Count", lambda t: 1.0 if running(t) else None
    )
    series(
        ctx,
        times,
        "AWS/Events",
        "Invocations",
        {"RuleName": "usage-rollup-nightly-0130"},
        "Count",
        lambda t: 1.0 if t.hour == 1 and t.minute == 30 else None,
    )
    series(
        ctx,
        times,
        "AWS/Events",
        "TriggeredRules",
        {"RuleName": "usage-rollup-nightly-0130"},
        "Count",
        lambda t: 1.0 if t.hour == 1 and t.minute == 30 else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "AsyncEventsReceived",
        dims,
        "Count",
        lambda t: 1.0 if t.hour == 1 and t.minute == 30 else None,
    )

    def rcu(t: datetime) -> Sample:
        base = 40 * diurnal(t, 11, 14.0, 0.2)
        if running(t):
            base += rng.uniform(1800, 2400)
        return float(round(noisy(rng, base, 0.1) * 60))

    series(
        ctx, times, "AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": "usage-events"}, "Count", rcu
    )
    series(
        ctx,
        times,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "usage-events"},
        "Count",
        lambda t: float(round(noisy(rng, 260 * diurnal(t, 11, 14.0, 0.25), 0.08) * 60)),
    )
    series(
        ctx,
        times,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "usage-daily"},
        "Count",
        lambda t: float(round(noisy(rng, 22, 0.2) * 60)) if running(t) else 0.0,
    )
    series(
        ctx,
        times,
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": "usage-events", "Operation": "Query"},
        "Milliseconds",
        lambda t: dist(rng, int(900 if running(t) else 40 * diurnal(t, 11, 14.0, 0.2)), 6.1, 0.3),
    )

    def ingest_n(t: datetime) -> int:
        return poisson(rng, 620 * diurnal(t, 11, 14.5, 0.18))

    ing_cache: dict[datetime, int] = {}

    def ing(t: datetime) -> int:
        if t not in ing_cache:
            ing_cache[t] = ingest_n(t)
        return ing_cache[t]

    series(
        ctx,
        times,
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "usage-ingest"},
        "Count",
        lambda t: float(ing(t)) or None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "usage-ingest"},
        "Count",
        lambda t: float(poisson(rng, ing(t) * 0.0005)) if ing(t) else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "usage-ingest"},
        "Milliseconds",
        lambda t: dist(rng, ing(t), 38, 0.3),
    )

    def export_run(t: datetime) -> bool:
        for n in nights[:-1]:
            end = run_starts[n] + timedelta(seconds=durations[n])
            if (end + timedelta(seconds=2)).replace(second=0, microsecond=0) == t:
                return True
        return False

    series(
        ctx,
        times,
        "AWS/Lambda",
        "Invocations",
        {"FunctionName": "partner-report-export"},
        "Count",
        lambda t: 1.0 if export_run(t) else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "partner-report-export"},
        "Count",
        lambda t: 0.0 if export_run(t) else None,
    )
    series(
        ctx,
        times,
        "AWS/Lambda",
        "Duration",
        {"FunctionName": "partner-report-export"},
        "Milliseconds",
        lambda t: round(noisy(rng, 41000, 0.1), 2) if export_run(t) else None,
    )
    series(
        ctx,
        times,
        "AWS/SNS",
        "NumberOfMessagesPublished",
        {"TopicName": "usage-rollup-complete"},
        "Count",
        lambda t: 1.0 if export_run(t) else None,
    )
    failed_at = (
        (attempts[-1] + timedelta(seconds=901)).replace(second=0, microsecond=0)
        if len(attempts) == 3
        else None
    )
    series(
        ctx,
        times,
        "AWS/SQS",
        "NumberOfMessagesSent",
        {"QueueName": fail_q},
        "Count",
        lambda t: (1.0 if t == failed_at else 0.0) if t >= now - timedelta(hours=6) else None,
    )
    series(
        ctx,
        times,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": fail_q},
        "Count",
        lambda t: (1.0 if failed_at and t >= failed_at else 0.0) if t >= now - timedelta(hours=6) else None,
    )

    # --- logs -----------------------------------------------------------------------------------
    def rollup_logs(at: datetime, n: int, dur: float | None, init: bool) -> None:
        total = tenants(n)
        target = (at - timedelta(days=1)).date()
        body: list[tuple[float, str]] = [
            (5.0, f"[INFO]\t{iso_ms(at)}\t{{rid}}\tRolling up usage for {target} (UTC)\n"),
            (1800.0, f"[INFO]\t{iso_ms(at)}\t{{rid}}\tLoaded {total} active tenants from tenant-settings\n"),
        ]
        span = dur if dur is not None else 900.0
        pace = (durations[n] if dur is not None else durations[0]) / total
        k = 100
        while k <= total and k * pace < span - 1:
            body.append(
                (
                    k * pace * 1000,
                    f"[INFO]\t{iso_ms(at + timedelta(seconds=k * pace))}\t{{rid}}\tprogress: {k}/{total} tenants, {int(k * pace)}s elapsed\n",
                )
            )
            k += 100
        if rng.random() < 0.4:
            tid = f"tnt_{ctx.hex(10)}"
            body.append(
                (
                    span * 400,
                    f"[WARNING]\t{iso_ms(at + timedelta(seconds=span * 0.4))}\t{{rid}}\tTenant {tid} has events with unknown meter 'api_calls_v1'; counted under 'api_calls'\n",
                )
            )
        if dur is not None:
            rows = int(total * rng.uniform(5.5, 6.5))
            body.append(
                (
                    dur * 1000 - 2500,
                    f"[INFO]\t{iso_ms(at + timedelta(seconds=dur - 2.5))}\t{{rid}}\tWrote {rows} rows to usage-daily\n",
                )
            )
            body.append(
                (
                    dur * 1000 - 900,
                    f"[INFO]\t{iso_ms(at + timedelta(seconds=dur - 0.9))}\t{{rid}}\tUploaded s3://tallyhub-partner-usage-prod/daily/{target}/usage.csv.gz\n",
                )
            )
            body.append(
                (
                    dur * 1000 - 60,
                    f"[INFO]\t{iso_ms(at + timedelta(seconds=dur))}\t{{rid}}\tPublished rollup-complete for {target}\n",
                )
            )
        lambda_invocation_logs(
            ctx,
            FN,
            at,
            (dur or 900.0) * 1000,
            3008,
            int(1500 + total * 0.25 + rng.randrange(40)),
            body,
            init_ms=rng.uniform(700, 1100) if init else None,
            timed_out=dur is None,
            stream=f"{at:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}",
        )

    for n in nights[:-1]:
        rollup_logs(run_starts[n], n, durations[n], True)
        end = run_starts[n] + timedelta(seconds=durations[n] + 2)
        lambda_invocation_logs(
            ctx,
            "partner-report-export",
            end,
            noisy(rng, 41000, 0.1),
            1024,
            rng.randrange(300, 360),
            [
                (
                    20.0,
                    f"{iso_ms(end)}\t{{rid}}\tINFO\tExporting {(end - timedelta(days=1)).date()} usage to {rng.randrange(38, 44)} partner buckets",
                ),
                (40000.0, f"{iso_ms(end)}\t{{rid}}\tINFO\tExport complete"),
            ],
            init_ms=rng.uniform(300, 500),
            stream=f"{end:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}",
        )
    for a in attempts:
        rollup_logs(a, 0, None, True)
    for t, _ in times:
        if t < now - timedelta(hours=4) or rng.random() > 0.35:
            continue
        at = t + timedelta(milliseconds=rng.randrange(60000))
        line = f"[INFO]\t{iso_ms(at)}\t{{rid}}\tAccepted {rng.randrange(1, 200)} usage events for tnt_{ctx.hex(10)}\n"
        body = [(10.0, line)]
        if rng.random() < 0.05:
            body.append(
                (
                    20.0,
                    f"[WARNING]\t{iso_ms(at)}\t{{rid}}\tRejected event with timestamp more than 48h old (tenant tnt_{ctx.hex(10)})\n",
                )
            )
        lambda_invocation_logs(
            ctx,
            "usage-ingest",
            at,
            noisy(rng, 38, 0.3),
            1024,
            rng.randrange(90, 99),
            body,
            stream=f"{t:%Y/%m/%d}/[$LATEST]{ctx.hex(32)}",
        )

    # --- CloudTrail -----------------------------------------------------------------------------
    ci = role_session(
        ctx,
        "github-actions-tallyhub-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        "aws-cli/2.17.46 md/awscrt#0.21.2 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#lambda.update-function-code",
        f"4.{rng.randrange(140, 200)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    eng = sso_user(
        ctx,
        "BillingEngineer",
        rng.choice(["priya.raman@tallyhub.com.au", "jack.oconnell@tallyhub.com.au"]),
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36 Edg/129.0.0.0",
        f"101.{rng.randrange(160, 190)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    ops = sso_user(
        ctx,
        "PlatformOps",
        rng.choice(["mei.tanaka@tallyhub.com.au", "sam.whitfield@tallyhub.com.au"]),
        "aws-cli/2.17.30 md/awscrt#0.20.11 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#source md/prompt#off md/command#dynamodb.update-table",
        f"49.{rng.randrange(176, 190)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )

    def update_code(t: datetime, name: str, f: Rec) -> None:
        ct(
            ctx,
            t,
            ci,
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            {
                "functionName": name,
                "publish": False,
                "dryRun": False,
                "s3Bucket": "tallyhub-lambda-artifacts-apse2",
                "s3Key": f"{name}/{ctx.hex(40)}.zip",
            },
            {
                "functionName": name,
                "functionArn": f["FunctionArn"],
                "runtime": f["Runtime"],
                "role": f["Role"],
                "handler": f["Handler"],
                "codeSize": f["CodeSize"],
                "timeout": f["Timeout"],
                "memorySize": f["MemorySize"],
                "codeSha256": f["CodeSha256"],
                "version": "$LATEST",
                "state": "Active",
                "lastUpdateStatus": "InProgress",
                "packageType": "Zip",
            },
        )

    update_code(code_deploy, FN, fn)
    update_code(run - timedelta(minutes=18), "partner-report-export", export)
    update_code(run - timedelta(days=9, hours=3), "usage-ingest", ingest)
    ct(
        ctx,
        run - timedelta(minutes=9),
        ops,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        {"tableName": "tenant-webhooks", "billingMode": "PAY_PER_REQUEST"},
        {
            "tableDescription": {
                "tableName": "tenant-webhooks",
                "tableStatus": "UPDATING",
                "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
            }
        },
        resources=[
            {
                "accountId": ctx.account,
                "type": "AWS::DynamoDB::Table",
                "ARN": ctx.arn("dynamodb", "table/tenant-webhooks"),
            }
        ],
    )
    for n in nights:
        bt = (run - timedelta(days=n)).replace(hour=1, minute=0, second=rng.randrange(10, 50))
        if bt > now:
            continue
        ct(
            ctx,
            bt,
            role_session(
                ctx,
                "AWSBackupDefaultServiceRole",
                "AWSBackup-AWSBackupDefaultServiceRole",
                "backup.amazonaws.com",
                "backup.amazonaws.com",
                "backup.amazonaws.com",
            ),
            "dynamodb.amazonaws.com",
            "CreateBackup",
            {"tableName": "usage-events", "backupName": f"AwsBackup_{ctx.uuid()}"},
            None,
            resources=[
                {
                    "accountId": ctx.account,
                    "type": "AWS::DynamoDB::Table",
                    "ARN": ctx.arn("dynamodb", "table/usage-events"),
                }
            ],
        )
    ct(
        ctx,
        onset + timedelta(minutes=4),
        eng,
        "lambda.amazonaws.com",
        "PutFunctionConcurrency20171031",
        {"functionName": "tenant-webhook-dispatch", "reservedConcurrentExecutions": 50},
        {"reservedConcurrentExecutions": 50},
    )
    ct(
        ctx,
        onset + timedelta(minutes=19),
        eng,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": FN},
        None,
        True,
    )
    ct(
        ctx,
        onset + timedelta(minutes=21),
        eng,
        "logs.amazonaws.com",
        "FilterLogEvents",
        {"logGroupName": f"/aws/lambda/{FN}", "startTime": ms_(run), "filterPattern": "timed out"},
        None,
        True,
    )
    grafana = role_session(
        ctx,
        "grafana-cloudwatch-read",
        "grafana",
        "aws-sdk-go/1.55.5 (go1.22.6; linux; amd64)",
        f"3.{rng.randrange(24, 27)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    span_min = int((now - start).total_seconds() // 60)
    for _ in range(12):
        t = start + timedelta(minutes=rng.randrange(span_min))
        ct(ctx, t, grafana, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}, None, True)
    for _ in range(8):
        t = start + timedelta(minutes=rng.randrange(span_min))
        ct(ctx, t, ci, "sts.amazonaws.com", "GetCallerIdentity", {}, None, True)
        ct(
            ctx,
            t + timedelta(seconds=3),
            ci,
            "lambda.amazonaws.com",
            "GetFunctionConfiguration20150331v2",
            {"functionName": rng.choice([FN, "usage-ingest", "partner-report-export"])},
            None,
            True,
        )
    for _ in range(5):
        t = start + timedelta(minutes=rng.randrange(span_min))
        ct(
            ctx,
            t,
            ops,
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": rng.choice(["usage-events", "usage-daily", "tenant-settings"])},
            None,
            True,
        )

    # --- alarms ---------------------------------------------------------------------------------
    page = ctx.arn("sns", "tallyhub-oncall")
    err = metric_alarm(
        ctx,
        "usage-rollup-nightly-errors",
        "Nightly usage rollup failed - partner usage files will be late",
        "AWS/Lambda",
        "Errors",
        dims,
        "Sum",
        300,
        1,
        1.0,
        "GreaterThanOrEqualToThreshold",
        created,
        [page],
        treat_missing="notBreaching",
    )
    others = [
        metric_alarm(
            ctx,
            "usage-ingest-errors",
            "Usage ingest API errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "usage-ingest"},
            "Sum",
            300,
            3,
            25.0,
            "GreaterThanThreshold",
            created,
            [page],
            treat_missing="notBreaching",
        ),
        metric_alarm(
            ctx,
            "partner-report-export-errors",
            "Partner export failed",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": "partner-report-export"},
            "Sum",
            300,
            1,
            1.0,
            "GreaterThanOrEqualToThreshold",
            created,
            [page],
            treat_missing="notBreaching",
        ),
        metric_alarm(
            ctx,
            "usage-events-read-latency",
            "usage-events Query latency",
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": "usage-events", "Operation": "Query"},
            "Average",
            300,
            3,
            50.0,
            "GreaterThanThreshold",
            created,
            [page],
        ),
    ]
    for al in [err, *others]:
        al["StateReason"] = "Threshold Crossed: no datapoints were breaching the threshold."
        evaluate_alarm(ctx, al, now - timedelta(hours=12), now)
        ctx.alarms.append(al)
    event = alarm_event(ctx, err)
    local_alarm = datetime.fromisoformat(event["time"].replace("Z", "+00:00")).astimezone(ZONE)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": (
                    f"usage-rollup-nightly paged at {local_alarm:%-I:%M%p}".replace("AM", "am").replace(
                        "PM", "pm"
                    )
                    + " and partners are already asking where yesterday's usage CSV is. That job has run fine for "
                    "months. What changed, and do we just re-run it?"
                ),
                "alarm_event": event,
                "timezone": "Australia/Sydney",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": FN,
                    "category": "limit",
                    "failure_mode": "lambda-max-timeout-reached-by-growing-batch",
                },
                "also_accept": [fn["FunctionArn"]],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"{FN}'s nightly run time has grown with the tenant count (REPORT durations creeping towards 900 s) and is capped by Lambda's 900-second maximum timeout",
                    f"tonight's run and both async retries time out at 900 s, so the event goes to {fail_q}",
                    "usage-rollup-complete is never published, so partner-report-export does not run",
                    "partners get no usage file for yesterday",
                ],
            },
        }
    )
    return Bundle(manifest, ctx.bundle_records())


def ms_(t: datetime) -> int:
    return int(t.timestamp() * 1000)
