"""lumo mobile billing: invoice-render queue age alarm pages in the night."""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zv as k

NAME = "lumo-invoice-render-age-night"
TITLE = "invoice-render queue age alarm pages just after midnight"
SUMMARY = (
    "A queue-age alarm created last week meets its first monthly bill run: the backlog is the run itself, "
    "drained at the consumer's designed concurrency with no errors."
)

REGION = "eu-west-2"
TZ = "Europe/London"
DAYS = [
    ((2024, 8, 1), 1),
    ((2024, 10, 1), 1),
    ((2024, 11, 1), 0),
    ((2025, 4, 1), 1),
    ((2025, 5, 1), 1),
    ((2025, 7, 1), 1),
    ((2025, 10, 1), 1),
    ((2024, 5, 1), 1),
]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = k.Ids(rng)
    account = str(rng.randint(2, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(11))
    (y, mo, d), off = DAYS[rng.randrange(len(DAYS))]
    lm = datetime(y, mo, d, tzinfo=k.UTC) - timedelta(hours=off)  # local midnight of the 1st, in UTC
    run_at = lm + timedelta(minutes=30, seconds=rng.randint(0, 3))
    accounts = rng.randint(182_000, 236_000)
    enqueue_s = rng.randint(640, 760)
    conc = 20
    batch_s = rng.uniform(4.3, 4.9)
    rate = conc * 10 / batch_s  # messages per second at full concurrency
    fine_from = lm - timedelta(hours=1)
    mid_from = lm - timedelta(hours=20)
    start = lm - timedelta(days=6, hours=rng.randint(0, 5))
    alarm_created = lm - timedelta(days=5, hours=rng.randint(-6, 6), minutes=rng.randint(0, 59))
    queue = "invoice-render"
    dlq = "invoice-render-dlq"
    fn = "invoice-render"
    kick = "bill-run-kickoff"
    table = "billing-invoices"
    topic = f"arn:aws:sns:{REGION}:{account}:billing-oncall"
    period_label = (lm - timedelta(days=1)).strftime("%Y-%m")

    # --- simulate the run at 1 s resolution summarised per minute ----------------------------------
    sent_cum = 0.0
    done_cum = 0.0
    sent_hist: list[tuple[datetime, float]] = []  # cumulative sent at minute ends
    per_min: dict[datetime, dict[str, float]] = {}
    t = k.floor_minute(run_at)
    t_end = run_at + timedelta(hours=3)
    while t < t_end:
        s = 0.0
        c = 0.0
        for sec in range(60):
            ts = t + timedelta(seconds=sec)
            if run_at <= ts < run_at + timedelta(seconds=enqueue_s) and sent_cum < accounts:
                add = accounts / enqueue_s
                sent_cum += add
                s += add
            ramp = min(1.0, max(0.0, (ts - run_at).total_seconds() / 90))
            take = min(rate * ramp, sent_cum - done_cum)
            done_cum += max(0.0, take)
            c += max(0.0, take)
        sent_hist.append((t + timedelta(minutes=1), sent_cum))
        backlog = sent_cum - done_cum
        # oldest message: enqueued when the cumulative sent count equalled the done count
        oldest = 0.0
        if backlog > 50:
            tgt = done_cum
            enq_t = run_at + timedelta(seconds=tgt / (accounts / enqueue_s))
            oldest = max(0.0, (t + timedelta(minutes=1) - enq_t).total_seconds())
        per_min[t] = {
            "sent": s,
            "done": c,
            "backlog": backlog,
            "oldest": oldest,
            "active": 1.0 if backlog > 50 or c > 0 else 0.0,
        }
        t += timedelta(minutes=1)
    finish = next(
        (tt for tt, v in per_min.items() if tt > run_at + timedelta(minutes=20) and v["backlog"] < 1), t_end
    )

    # --- metrics --------------------------------------------------------------------------------------
    m = k.Metrics()
    qd = {"QueueName": queue}
    dqd = {"QueueName": dlq}
    fd = {"FunctionName": fn}
    kd = {"FunctionName": kick}
    td = {"TableName": table}
    age_pts: dict[datetime, float] = {}
    vis_pts: dict[datetime, float] = {}
    now_guess = run_at + timedelta(minutes=rng.randint(48, 58))

    def emit(t0: datetime, step: int) -> None:
        lf = k.load(t0, off, "utility_billing")
        mins = [t0 + timedelta(minutes=j) for j in range(step // 60)]
        run = [per_min[x] for x in mins if x in per_min]
        adhoc = sum(k.poisson(rng, 2.5 * lf + 0.2) for _ in mins)
        sent = adhoc + sum(r["sent"] for r in run)
        done = adhoc + sum(r["done"] for r in run)
        backlog = run[-1]["backlog"] if run else 0.0
        oldest = run[-1]["oldest"] if run else rng.uniform(0, 3)
        running = bool(run) and run[-1]["active"] > 0
        m.put("AWS/SQS", "NumberOfMessagesSent", qd, t0, round(sent), "Count")
        m.put("AWS/SQS", "NumberOfMessagesReceived", qd, t0, round(done), "Count")
        m.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t0, round(done), "Count")
        vis = round(max(0.0, backlog - conc * 10)) if running else (1 if rng.random() < 0.1 else 0)
        m.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t0, vis, "Count")
        m.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            qd,
            t0,
            conc * 10 if running else k.poisson(rng, 0.4),
            "Count",
        )
        m.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t0, round(oldest), "Seconds")
        m.put(
            "AWS/SQS",
            "NumberOfEmptyReceives",
            qd,
            t0,
            0 if running else round(k.wobble(rng, 5 * 3 * step / 20 * 0.95, 0.05)),
            "Count",
        )
        m.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dqd, t0, 0, "Count")
        m.put("AWS/SQS", "ApproximateAgeOfOldestMessage", dqd, t0, 0, "Seconds")
        inv = math.ceil(done / (10 if running else 1.3)) if done else 0
        if inv:
            m.put("AWS/Lambda", "Invocations", fd, t0, inv, "Count")
            m.put("AWS/Lambda", "Errors", fd, t0, 0, "Count")
            med = batch_s * 1000 if running else 780.0
            vals, cnts = k.latency_buckets(rng, inv, med, med * 1.35)
            m.dist("AWS/Lambda", "Duration", fd, t0, vals, cnts, "Milliseconds")
            m.put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                fd,
                t0,
                conc if running else max(1, round(inv / step * 2)),
                "Count",
            )
        if t0 <= run_at < t0 + timedelta(seconds=step):
            m.put("AWS/Lambda", "Invocations", kd, t0, 1, "Count")
        if done:
            m.rows.append(
                {
                    "namespace": "AWS/DynamoDB",
                    "metric": "ConsumedWriteCapacityUnits",
                    "dimensions": td,
                    "timestamp": k.iso(t0),
                    "unit": "Count",
                    "statistic_values": {
                        "SampleCount": float(round(done)),
                        "Sum": round(done * 2.0, 1),
                        "Minimum": 1.0,
                        "Maximum": 3.0,
                    },
                }
            )
            m.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**td, "Operation": "PutItem"},
                t0,
                k.wobble(rng, 6.0 if running else 5.2, 0.05),
                "Milliseconds",
            )
        if step == 60:
            age_pts[t0] = round(oldest)
            vis_pts[t0] = vis

    for t0, step in k.timeline(start, mid_from, mid_from, coarse=900):
        emit(t0, step)
    for t0, step in k.timeline(mid_from, now_guess, fine_from, coarse=300):
        emit(t0, step)
    kick_end = run_at + timedelta(seconds=enqueue_s + rng.randint(8, 20))
    m.put(
        "AWS/Lambda",
        "Duration",
        kd,
        k.floor_minute(kick_end),
        (kick_end - run_at).total_seconds() * 1000,
        "Milliseconds",
    )
    m.put("AWS/Lambda", "Errors", kd, k.floor_minute(kick_end), 0, "Count")

    # --- alarms ---------------------------------------------------------------------------------------
    s_age = k.AlarmSpec(
        name="invoice-render-queue-age",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims=qd,
        stat="Maximum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=900,
        comparison="GreaterThanThreshold",
        treat_missing="missing",
        description="Invoice renders waiting more than 15 minutes. Added after the March stuck renders (PM-114); pages billing on-call.",
    )
    tr = k.evaluate_alarm(s_age, age_pts, fine_from, now_guess, rng)
    assert tr
    fire = tr[0]
    now = fire.at + timedelta(minutes=rng.randint(24, 32), seconds=rng.randint(0, 59))
    now = min(now, now_guess - timedelta(seconds=1))
    end = now + timedelta(minutes=10)
    m.rows = [r for r in m.rows if r["timestamp"] <= k.iso(now)]
    s_dlq = k.AlarmSpec(
        name="invoice-render-dlq-not-empty",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims=dqd,
        stat="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="Failed invoice renders",
    )
    s_err = k.AlarmSpec(
        name="invoice-render-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims=fd,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=5,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
    )
    s_thr = k.AlarmSpec(
        name="billing-lambda-throttles",
        namespace="AWS/Lambda",
        metric="Throttles",
        dims=fd,
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=0,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
    )
    old_conf = start - timedelta(days=rng.randint(200, 500))
    alarms = [
        k.alarm_item(s_age, account, REGION, topic, alarm_created, tr, "", alarm_created, now),
        k.alarm_item(
            s_dlq,
            account,
            REGION,
            topic,
            old_conf,
            [],
            k.quiet_ok_reason(s_dlq, k.floor_minute(now) - timedelta(minutes=6), 0.0),
            start - timedelta(days=30),
            now,
        ),
        k.alarm_item(
            s_err,
            account,
            REGION,
            topic,
            old_conf,
            [],
            k.quiet_ok_reason(s_err, k.floor_minute(now) - timedelta(minutes=6), 0.0),
            start - timedelta(days=12),
            now,
        ),
        k.alarm_item(
            s_thr,
            account,
            REGION,
            topic,
            old_conf,
            [],
            k.quiet_ok_reason(s_thr, k.floor_minute(now) - timedelta(minutes=6), 0.0),
            start - timedelta(days=30),
            now,
        ),
    ]
    created_ok = k.Transition(
        alarm_created + timedelta(minutes=1, seconds=12),
        "INSUFFICIENT_DATA",
        "OK",
        k.quiet_ok_reason(s_age, k.floor_minute(alarm_created), 1.0),
        {
            "version": "1.0",
            "queryDate": k.cw_ts(alarm_created + timedelta(minutes=1)),
            "startDate": k.cw_ts(k.floor_minute(alarm_created) - timedelta(minutes=2)),
            "statistic": "Maximum",
            "period": 60,
            "recentDatapoints": [1.0, 1.0, 1.0],
            "threshold": 900.0,
        },
    )
    history = [
        k.created_history(
            s_age.name,
            alarm_created,
            {
                "alarmName": s_age.name,
                "namespace": "AWS/SQS",
                "metricName": s_age.metric,
                "statistic": "Maximum",
                "period": 60,
                "evaluationPeriods": 3,
                "datapointsToAlarm": 3,
                "threshold": 900.0,
                "comparisonOperator": "GreaterThanThreshold",
                "dimensions": [{"name": "QueueName", "value": queue}],
                "alarmActions": [topic],
                "okActions": [topic],
                "actionsEnabled": True,
            },
        )
    ]
    history += k.history_items(s_age, [created_ok, *tr], now)
    event = k.alarm_event(ids, s_age, account, REGION, fire, created_ok)

    # --- resources ------------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(400, 800))
    q_url = f"https://sqs.{REGION}.amazonaws.com/{account}/{queue}"
    dlq_arn = f"arn:aws:sqs:{REGION}:{account}:{dlq}"
    epoch = str(int(created.timestamp()))
    last = per_min.get(k.floor_minute(now) - timedelta(minutes=1), {"backlog": 0.0})
    resources: list[dict[str, Any]] = [
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": q_url,
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{REGION}:{account}:{queue}",
                    "ApproximateNumberOfMessages": str(round(max(0.0, last["backlog"] - 200))),
                    "ApproximateNumberOfMessagesNotVisible": "200",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": epoch,
                    "LastModifiedTimestamp": epoch,
                    "VisibilityTimeout": "180",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}, separators=(",", ":")
                    ),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"team": "billing", "env": "prod"},
            },
        ),
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{account}/{dlq}",
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "ApproximateNumberOfMessages": "0",
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": epoch,
                    "LastModifiedTimestamp": epoch,
                    "VisibilityTimeout": "30",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"team": "billing", "env": "prod"},
            },
        ),
    ]
    esm_uuid = ids.uuid()
    resources.append(
        k.res(
            "lambda",
            "EventSourceMappingConfiguration",
            {
                "UUID": esm_uuid,
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": f"arn:aws:sqs:{REGION}:{account}:{queue}",
                "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{fn}",
                "LastModified": k.iso(created + timedelta(days=200)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": conc},
                "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{account}:event-source-mapping:{esm_uuid}",
            },
        )
    )
    for name, desc, mem, tmo, env in (
        (
            fn,
            "Renders one month's invoice PDFs per account and stores them. Concurrency is capped by the SQS "
            "mapping (20) to stay within the document store's write budget.",
            1536,
            120,
            {
                "INVOICES_TABLE": table,
                "PDF_BUCKET": f"lumo-invoices-{account}",
                "RENDER_TEMPLATE": "invoice-v7",
            },
        ),
        (
            kick,
            "Monthly bill run: enumerates billable accounts and queues one render job each.",
            1024,
            900,
            {"RENDER_QUEUE_URL": q_url, "ACCOUNTS_SOURCE": "billing-accounts"},
        ),
    ):
        resources.append(
            k.res(
                "lambda",
                "FunctionConfiguration",
                {
                    "FunctionName": name,
                    "FunctionArn": f"arn:aws:lambda:{REGION}:{account}:function:{name}",
                    "Runtime": "python3.12",
                    "Role": f"arn:aws:iam::{account}:role/{name}-role",
                    "Handler": "handler.main",
                    "CodeSize": rng.randint(2_000_000, 9_000_000),
                    "Description": desc,
                    "Timeout": tmo,
                    "MemorySize": mem,
                    "LastModified": (start - timedelta(days=rng.randint(8, 40))).strftime(
                        "%Y-%m-%dT%H:%M:%S.000+0000"
                    ),
                    "CodeSha256": ids.alnum(43) + "=",
                    "Version": "$LATEST",
                    "Environment": {"Variables": env},
                    "TracingConfig": {"Mode": "PassThrough"},
                    "RevisionId": ids.uuid(),
                    "State": "Active",
                    "LastUpdateStatus": "Successful",
                    "PackageType": "Zip",
                    "Architectures": ["x86_64"],
                    "EphemeralStorage": {"Size": 1024},
                    "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
                },
            )
        )
        resources.append(
            k.res(
                "logs",
                "LogGroup",
                k.log_group_item(
                    f"/aws/lambda/{name}", account, REGION, created, 90, rng.randint(10**9, 2 * 10**10)
                ),
            )
        )
        resources.append(
            k.res(
                "iam",
                "Role",
                k.iam_role_item(f"{name}-role", account, ids.role_id(), created, "lambda.amazonaws.com"),
            )
        )
    resources.append(
        k.res(
            "dynamodb",
            "TableDescription",
            {
                "AttributeDefinitions": [
                    {"AttributeName": "accountId", "AttributeType": "S"},
                    {"AttributeName": "period", "AttributeType": "S"},
                ],
                "TableName": table,
                "KeySchema": [
                    {"AttributeName": "accountId", "KeyType": "HASH"},
                    {"AttributeName": "period", "KeyType": "RANGE"},
                ],
                "TableStatus": "ACTIVE",
                "CreationDateTime": k.iso(created),
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "TableSizeBytes": rng.randint(8, 20) * 1024**3,
                "ItemCount": rng.randint(4_000_000, 9_000_000),
                "TableArn": f"arn:aws:dynamodb:{REGION}:{account}:table/{table}",
                "TableId": ids.uuid(),
                "BillingModeSummary": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "LastUpdateToPayPerRequestDateTime": k.iso(created),
                },
                "DeletionProtectionEnabled": True,
            },
        )
    )
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{account}:secret:billing/db/readonly-{ids.alnum(6)}"

    # --- CloudTrail -----------------------------------------------------------------------------------
    eng = k.sso_user(
        ids,
        account,
        REGION,
        "BillingEngineer",
        "tom.achebe@lumomobile.co.uk",
        ids.ip("86.143"),
        rng.choice(k.CONSOLE_UA),
    )
    oncall = k.sso_user(
        ids,
        account,
        REGION,
        "BillingEngineer",
        "nadia.kowalski@lumomobile.co.uk",
        ids.ip("82.132"),
        rng.choice(k.CONSOLE_UA),
    )
    dev = k.sso_user(
        ids,
        account,
        REGION,
        "ReadOnly",
        "chris.yeung@lumomobile.co.uk",
        ids.ip("86.143"),
        rng.choice(k.CONSOLE_UA),
    )
    rot = k.ci_role(
        ids,
        account,
        "secrets-rotation-postgres-role",
        "secrets-rotation-postgres",
        ids.ip("18.135"),
        "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.224-234.888.amzn2.x86_64 "
        "md/arch#x86_64 lang/python#3.12.5 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy "
        "Botocore/1.34.145",
    )
    sm = k.service_principal(account, "secretsmanager.amazonaws.com")
    ssm = k.service_principal(account, "ssm.amazonaws.com")
    trail: list[dict[str, Any]] = []
    trail.append(
        k.ct(
            ids,
            REGION,
            alarm_created,
            eng,
            "monitoring.amazonaws.com",
            "PutMetricAlarm",
            {
                "alarmName": s_age.name,
                "alarmDescription": s_age.description,
                "actionsEnabled": True,
                "oKActions": [topic],
                "alarmActions": [topic],
                "metricName": s_age.metric,
                "namespace": "AWS/SQS",
                "statistic": "Maximum",
                "dimensions": [{"name": "QueueName", "value": queue}],
                "period": 60,
                "evaluationPeriods": 3,
                "datapointsToAlarm": 3,
                "threshold": 900.0,
                "comparisonOperator": "GreaterThanThreshold",
                "treatMissingData": "missing",
            },
            None,
        )
    )
    rot_at = lm + timedelta(minutes=rng.randint(20, 40), seconds=rng.randint(0, 59))
    ver = ids.uuid()
    trail.append(
        k.ct(
            ids,
            REGION,
            rot_at,
            sm,
            "secretsmanager.amazonaws.com",
            "RotationStarted",
            None,
            None,
            event_type="AwsServiceEvent",
            additional={"SecretId": secret_arn},
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            rot_at + timedelta(seconds=2),
            rot,
            "secretsmanager.amazonaws.com",
            "PutSecretValue",
            {"secretId": secret_arn, "clientRequestToken": ver, "versionStages": ["AWSPENDING"]},
            {
                "arn": secret_arn,
                "name": "billing/db/readonly",
                "versionId": ver,
                "versionStages": ["AWSPENDING"],
            },
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            rot_at + timedelta(seconds=7),
            rot,
            "secretsmanager.amazonaws.com",
            "UpdateSecretVersionStage",
            {
                "secretId": secret_arn,
                "versionStage": "AWSCURRENT",
                "moveToVersionId": ver,
                "removeFromVersionId": ids.uuid(),
            },
            {"arn": secret_arn, "name": "billing/db/readonly"},
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            rot_at + timedelta(seconds=8),
            sm,
            "secretsmanager.amazonaws.com",
            "RotationSucceeded",
            None,
            None,
            event_type="AwsServiceEvent",
            additional={"SecretId": secret_arn},
        )
    )
    patch_at = lm + timedelta(minutes=rng.randint(35, 50))
    trail.append(
        k.ct(
            ids,
            REGION,
            patch_at,
            ssm,
            "ssm.amazonaws.com",
            "SendCommand",
            {
                "documentName": "AWS-RunPatchBaseline",
                "instanceIds": [ids.instance(), ids.instance()],
                "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                "maxConcurrency": "50%",
                "maxErrors": "0",
            },
            {
                "command": {
                    "commandId": ids.uuid(),
                    "documentName": "AWS-RunPatchBaseline",
                    "status": "Pending",
                }
            },
        )
    )
    trail.append(
        k.ct(
            ids,
            REGION,
            lm - timedelta(hours=rng.randint(3, 6)),
            eng,
            "lambda.amazonaws.com",
            "GetEventSourceMapping20150331",
            {"uUID": esm_uuid},
            None,
            read_only=True,
        )
    )
    read_calls = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"alarmNames": [s_age.name]}),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
        ("lambda.amazonaws.com", "ListEventSourceMappings20150331", {"functionName": fn}),
        ("logs.amazonaws.com", "FilterLogEvents", {"logGroupName": f"/aws/lambda/{fn}"}),
        ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
    ]
    trail += k.routine_reads(ids, REGION, rng, (fire.at + timedelta(minutes=4), now), [oncall], read_calls, 9)
    trail += k.routine_reads(
        ids,
        REGION,
        rng,
        (start, lm - timedelta(hours=2)),
        [eng, dev],
        [
            *read_calls,
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
            ("s3.amazonaws.com", "ListBuckets", None),
            ("sts.amazonaws.com", "GetCallerIdentity", None),
        ],
        22,
    )
    trail = k.sort_trail(r for r in trail if r["eventTime"] <= k.iso(now))
    for r in trail:
        if r["eventSource"] == "s3.amazonaws.com":
            r["awsRegion"] = "us-east-1"

    # --- logs -----------------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    kg = f"/aws/lambda/{kick}"
    ks = f"{k.iso(run_at)[:10].replace('-', '/')}/[$LATEST]{ids.hex(32)}"
    rid = ids.uuid()
    logs.append(
        k.log(kg, ks, run_at + timedelta(milliseconds=410), f"START RequestId: {rid} Version: $LATEST\n")
    )
    logs.append(
        k.log(
            kg,
            ks,
            run_at + timedelta(seconds=2),
            f"[INFO]\t{k.iso_ms(run_at + timedelta(seconds=2))}\t{rid}\t"
            f"Bill run {period_label} started: {accounts} billable accounts\n",
        )
    )
    for j in range(1, 11):
        tj = run_at + timedelta(seconds=enqueue_s * j / 10)
        logs.append(
            k.log(
                kg,
                ks,
                tj,
                f"[INFO]\t{k.iso_ms(tj)}\t{rid}\tqueued {int(accounts * j / 10)}/{accounts} render "
                f"jobs ({int(accounts / enqueue_s)}/s)\n",
            )
        )
    logs.append(
        k.log(
            kg,
            ks,
            kick_end - timedelta(milliseconds=50),
            f"[INFO]\t{k.iso_ms(kick_end)}\t{rid}\t"
            f"Bill run {period_label}: {accounts} render jobs queued in {enqueue_s // 60}m{enqueue_s % 60:02d}s; "
            f"0 skipped (suspended)\n",
        )
    )
    dur = (kick_end - run_at).total_seconds() * 1000
    logs.append(k.log(kg, ks, kick_end, f"END RequestId: {rid}\n"))
    logs.append(
        k.log(
            kg,
            ks,
            kick_end,
            f"REPORT RequestId: {rid}\tDuration: {dur:.2f} ms\tBilled Duration: "
            f"{math.ceil(dur)} ms\tMemory Size: 1024 MB\tMax Memory Used: 612 MB\tInit Duration: 1043.55 ms\t\n",
        )
    )
    fg = f"/aws/lambda/{fn}"
    streams = [f"{k.iso(run_at)[:10].replace('-', '/')}/[$LATEST]{ids.hex(32)}" for _ in range(conc)]
    prev_streams = [
        f"{k.iso(lm - timedelta(days=1))[:10].replace('-', '/')}/[$LATEST]{ids.hex(32)}" for _ in range(2)
    ]
    t = start
    while t < now:
        running = run_at <= t and t < finish
        n = 4 if running else (1 if rng.random() < 0.35 else 0)
        for _ in range(n):
            ts = t + timedelta(seconds=rng.uniform(0, 59))
            st = rng.choice(streams if running else prev_streams)
            r2 = ids.uuid()
            d2 = rng.gauss(batch_s * 1000, 250) if running else rng.gauss(780, 90)
            cnt = 10 if running else 1
            logs.append(k.log(fg, st, ts, f"START RequestId: {r2} Version: $LATEST\n"))
            if rng.random() < 0.08:
                logs.append(
                    k.log(
                        fg,
                        st,
                        ts + timedelta(milliseconds=d2 / 2),
                        f"[WARNING]\t{k.iso_ms(ts)}\t{r2}\t"
                        f"account {rng.randint(10**7, 10**8 - 1)} has no usage for {period_label}; rendering "
                        "nil invoice\n",
                    )
                )
            logs.append(
                k.log(
                    fg,
                    st,
                    ts + timedelta(milliseconds=d2 - 5),
                    f"[INFO]\t{k.iso_ms(ts)}\t{r2}\t"
                    + json.dumps(
                        {
                            "msg": "batch rendered",
                            "period": period_label if running else "final-bill",
                            "invoices": cnt,
                            "failed": 0,
                            "pdf_bytes": cnt * rng.randint(61000, 88000),
                        }
                    )
                    + "\n",
                )
            )
            logs.append(k.log(fg, st, ts + timedelta(milliseconds=d2), f"END RequestId: {r2}\n"))
            logs.append(
                k.log(
                    fg,
                    st,
                    ts + timedelta(milliseconds=d2),
                    f"REPORT RequestId: {r2}\tDuration: {d2:.2f} ms\tBilled Duration: {math.ceil(d2)} ms\t"
                    f"Memory Size: 1536 MB\tMax Memory Used: {rng.randint(640, 760)} MB\t\n",
                )
            )
        t += timedelta(minutes=1 if t >= fine_from else 15)
    logs = k.sort_logs(r for r in logs if r["timestamp"] <= k.ms(now))

    loc = fire.at + timedelta(hours=off)
    question = (
        f"invoice-render-queue-age paged me at {loc.hour % 12 or 12}:{loc.minute:02d}am. Is the bill run stuck? "
        "Do I need to wake the billing team up?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(end),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": event, "timezone": TZ},
            "truth": {
                "no_fault": True,
                "also_accept": [],
                "actions": [],
                "chain": [
                    f"At 00:30 on the 1st the scheduled {kick} queued {accounts} render jobs on {queue} in about "
                    f"{enqueue_s // 60} minutes (the monthly bill run).",
                    f"{fn} consumes at its designed mapping concurrency of {conc}, about {int(rate * 60)} jobs a minute, "
                    "with no errors, no throttles and an empty DLQ; the visible count falls steadily.",
                    f"The {s_age.name} alarm was created five days earlier and this is the first bill run it has seen; "
                    "the age of the oldest message is expected to exceed 15 minutes until the run drains.",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
        },
    )
