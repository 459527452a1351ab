"""Month-start renewal batch saturates the ledger table's write capacity at its auto-scaling ceiling."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzj import Ctx, iso, minutes

NAME = "renewal-charges-backlog-month-start"
TITLE = "renewal-charges oldest-message age alarm on the morning of the 1st"
SUMMARY = (
    "The month-start renewal run floods the charging workers, whose ledger writes hit the DynamoDB table's "
    "auto-scaling maximum; writes are throttled, renewals retry and some dead-letter."
)

FN = "renewal-charger"
MAILER = "renewal-receipt-mailer"
Q = "renewal-charges"
DLQ = "renewal-charges-dlq"
TABLE = "subscription-ledger"
SM = "renewal-batch"
SCHED = "renewals-daily"


def build(seed: int) -> Bundle:
    c = Ctx(seed, NAME, "us-east-2")
    r = c.rng
    month = r.choice([9, 10, 11, 12])
    day = datetime(2026, month, 1, tzinfo=UTC)
    run = day + timedelta(hours=11, seconds=r.randint(2, 40))  # 05:00 America/Chicago (CST) ... close enough
    if month in (9, 10):
        run -= timedelta(hours=1)  # 05:00 CDT
    start = (run - timedelta(hours=3, minutes=r.randint(35, 50))).replace(second=0)
    now = run + timedelta(minutes=r.randint(50, 58))
    max_wcu = r.choice([300, 400])
    min_wcu = 100
    per_renewal = 12  # four ~2.5 KB items
    batch = r.randint(140_000, 170_000)
    daily = r.randint(7_000, 9_500)
    del daily

    # --- simulate per minute ----------------------------------------------------------------------
    sent: dict[datetime, float] = {}
    recv: dict[datetime, float] = {}
    deleted: dict[datetime, float] = {}
    conc: dict[datetime, float] = {}
    consumed: dict[datetime, float] = {}
    prov: dict[datetime, float] = {}
    throttles: dict[datetime, float] = {}
    visible: dict[datetime, float] = {}
    notvis: dict[datetime, float] = {}
    oldest: dict[datetime, float] = {}
    dlq_count: dict[datetime, float] = {}
    dur: dict[datetime, float] = {}
    fails: dict[datetime, float] = {}
    backlog = 0.0
    retry_pool: list[tuple[datetime, float, int]] = []  # (visible again at, count, receive count)
    oldest_sent: datetime | None = None
    p = float(min_wcu)
    in_dlq = 0.0
    c_now = 2.0
    burst = 300.0 * min_wcu  # unused capacity DynamoDB banks (up to 300 s)
    hot_since: datetime | None = None
    scale_events: list[tuple[datetime, float, float]] = []
    dlq_later: dict[datetime, float] = {}
    for m in minutes(start, now + timedelta(minutes=1)):
        trickle = max(0, int(r.gauss(14, 4)))
        s = float(trickle)
        if run <= m + timedelta(minutes=1) and m < run + timedelta(minutes=6):
            s += batch / 6
        sent[m] = s
        if backlog <= 0:
            oldest_sent = m
        backlog += s
        again = [x for x in retry_pool if x[0] <= m]
        retry_pool = [x for x in retry_pool if x[0] > m]
        backlog += sum(x[1] for x in again)
        # pollers add concurrency while a backlog stays
        target = min(50.0, 2 + backlog / 40)
        c_now = min(target, c_now + 12) if target > c_now else max(target, c_now * 0.6)
        demand_renewals = c_now / 0.75 * 60  # per minute
        demand_renewals = min(demand_renewals, backlog)
        demand_wcu = demand_renewals * per_renewal
        cap = p * 60 + min(burst, p * 60 * 2)
        if demand_wcu <= p * 60:
            burst = min(300.0 * p, burst + (p * 60 - demand_wcu))
            used = demand_wcu
            fail_frac = 0.0
        else:
            used = min(demand_wcu, cap)
            burst = max(0.0, burst - max(0.0, used - p * 60))
            over = demand_wcu / max(used, 1)
            fail_frac = min(0.45, max(0.0, (over - 1.0) * 0.35))
        thr = max(0.0, (demand_wcu - used) / 2.6) if demand_wcu > used + 1 else 0.0
        used *= r.uniform(0.97, 1.0)
        done = min(demand_renewals * (1 - fail_frac), used / per_renewal)
        failed = demand_renewals - done
        backlog -= demand_renewals
        consumed[m] = used
        prov[m] = p
        throttles[m] = thr * r.uniform(0.9, 1.1)
        recv[m] = demand_renewals
        deleted[m] = done
        conc[m] = max(1.0, round(c_now))
        fails[m] = failed
        dur[m] = 7.5 * (1 + 2.8 * fail_frac) * r.uniform(0.92, 1.08) if demand_renewals > 0 else 0
        # failed renewals come back after the visibility timeout (180 s) or go to the DLQ on the 4th receive
        if failed > 0:
            to_dlq = failed * (fail_frac**3)
            later = m + timedelta(minutes=r.randint(9, 11))
            dlq_later[later] = dlq_later.get(later, 0.0) + to_dlq
            retry_pool.append((m + timedelta(minutes=3), failed - to_dlq, 1))
        in_dlq += dlq_later.pop(m, 0.0)
        dlq_count[m] = in_dlq
        visible[m] = max(0.0, backlog)
        notvis[m] = conc[m] * 10 + sum(x[1] for x in retry_pool)
        if backlog > 50:
            oldest[m] = (m - (oldest_sent or m)).total_seconds() + 40
        else:
            oldest[m] = r.uniform(1, 6) if s else 0.0
            oldest_sent = m
        # target tracking at 70 % of provisioned writes; scale-out after 2 hot minutes
        util = used / 60 / p
        hot_since = (hot_since or m) if util > 0.7 else None
        if hot_since and m - hot_since >= timedelta(minutes=2) and p < max_wcu:
            newp = float(min(max_wcu, math.ceil(used / 60 / 0.7 / 10) * 10))
            if newp > p:
                scale_events.append((m + timedelta(seconds=r.randint(30, 50)), p, newp))
                p = newp
                hot_since = None

    # --- metrics ----------------------------------------------------------------------------------
    td = {"TableName": TABLE}
    cw = c.series(
        "AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, "Count", start, now, lambda t: consumed[t]
    )
    c.series("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", td, "Count", start, now, lambda t: prov[t])
    c.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        "Count",
        start,
        now,
        lambda t: recv[t] * 1.5 + r.uniform(300, 900),
    )
    c.series("AWS/DynamoDB", "ProvisionedReadCapacityUnits", td, "Count", start, now, lambda t: 250.0)
    wt = c.series(
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        td,
        "Count",
        start,
        now,
        lambda t: round(throttles[t]) if throttles[t] >= 1 else None,
    )
    c.series(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": TABLE, "Operation": "PutItem"},
        "Count",
        start,
        now,
        lambda t: round(throttles[t]) if throttles[t] >= 1 else None,
    )
    c.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": TABLE, "Operation": "PutItem"},
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(4.1, 6.3),
    )
    c.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": TABLE, "Operation": "Query"},
        "Milliseconds",
        start,
        now,
        lambda t: r.uniform(2.8, 4.4),
    )
    fd = {"FunctionName": FN}
    c.series("AWS/Lambda", "Invocations", fd, "Count", start, now, lambda t: math.ceil(recv[t] / 10) or None)
    errs = c.series(
        "AWS/Lambda",
        "Errors",
        fd,
        "Count",
        start,
        now,
        lambda t: (1.0 if r.random() < 0.01 else 0.0) if recv[t] else None,
    )
    c.series(
        "AWS/Lambda", "Duration", fd, "Milliseconds", start, now, lambda t: dur[t] * 1000 if recv[t] else None
    )
    c.series("AWS/Lambda", "ConcurrentExecutions", fd, "Count", start, now, lambda t: conc[t])
    c.series("AWS/Lambda", "Throttles", fd, "Count", start, now, lambda t: 0.0 if recv[t] else None)
    qd = {"QueueName": Q}
    c.series("AWS/SQS", "NumberOfMessagesSent", qd, "Count", start, now, lambda t: round(sent[t]))
    c.series("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", start, now, lambda t: round(recv[t]))
    c.series("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", start, now, lambda t: round(deleted[t]))
    c.series(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", start, now, lambda t: round(visible[t])
    )
    c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        start,
        now,
        lambda t: round(notvis[t]),
    )
    age = c.series(
        "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", start, now, lambda t: round(oldest[t])
    )
    dd_ = {"QueueName": DLQ}
    dlq = c.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd_,
        "Count",
        start,
        now,
        lambda t: float(int(dlq_count[t])) if dlq_count[t] >= 1 else None,
    )
    md = {"FunctionName": MAILER}
    c.series(
        "AWS/Lambda", "Invocations", md, "Count", start, now, lambda t: math.ceil(deleted[t] / 10) or None
    )
    c.series("AWS/Lambda", "Errors", md, "Count", start, now, lambda t: 0.0 if deleted[t] else None)
    c.series(
        "AWS/SES", "Send", {}, "Count", start, now, lambda t: round(deleted[t] * 0.97 + r.randint(5, 30))
    )
    smd = {"StateMachineArn": c.arn("states", f"stateMachine:{SM}")}
    c.series(
        "AWS/States",
        "ExecutionsStarted",
        smd,
        "Count",
        start,
        now,
        lambda t: 1.0 if t == run.replace(second=0) else None,
    )
    c.series(
        "AWS/States",
        "ExecutionsSucceeded",
        smd,
        "Count",
        start,
        now,
        lambda t: 1.0 if t == (run + timedelta(minutes=6)).replace(second=0) else None,
    )
    c.series(
        "AWS/States",
        "ExecutionTime",
        smd,
        "Milliseconds",
        start,
        now,
        lambda t: (
            362_000.0 + r.uniform(-9000, 9000)
            if t == (run + timedelta(minutes=6)).replace(second=0)
            else None
        ),
    )

    # --- alarms -----------------------------------------------------------------------------------
    topic = c.arn("sns", "billing-platform-alerts")
    age_alarm = c.alarm(
        f"{Q}-oldest-message-age",
        "Oldest renewal charge waiting > 20 min",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        300,
        1,
        1200,
        "GreaterThanThreshold",
        age,
        start,
        now,
        actions=[topic],
    )
    c.alarm(
        f"{DLQ}-visible",
        "Renewal charges dead-lettered",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd_,
        "Maximum",
        300,
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
        f"{FN}-errors",
        "renewal-charger invocation errors",
        "AWS/Lambda",
        "Errors",
        fd,
        "Sum",
        300,
        1,
        10,
        "GreaterThanOrEqualToThreshold",
        errs,
        start,
        now,
        missing="notBreaching",
        actions=[topic],
    )
    tt = c.uid()
    hi = f"TargetTracking-table/{TABLE}-AlarmHigh-{tt}"
    lo = f"TargetTracking-table/{TABLE}-AlarmLow-{c.uid()}"
    pol_arn = (
        f"arn:aws:autoscaling:{c.region}:{c.account}:scalingPolicy:{c.uid()}:resource/dynamodb/table/"
        f"{TABLE}:policyName/$${TABLE}-scaling-policy"
    )
    # the high alarm's threshold follows provisioned capacity; at the ceiling it reads 70 % of max
    c.alarm(
        hi,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + pol_arn + ".",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Sum",
        60,
        2,
        round(max_wcu * 60 * 0.7, 1),
        "GreaterThanThreshold",
        cw,
        start,
        now,
        actions=[pol_arn],
        missing="missing",
    )
    c.alarm(
        lo,
        "DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + pol_arn + ".",
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        td,
        "Sum",
        60,
        15,
        round(max_wcu * 60 * 0.5, 1),
        "LessThanThreshold",
        cw,
        start,
        now,
        actions=[pol_arn],
        initial="ALARM",
    )
    c.alarm(
        f"{TABLE}-write-throttles",
        "Ledger write throttling",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        td,
        "Sum",
        300,
        2,
        500,
        "GreaterThanThreshold",
        wt,
        start,
        now,
        missing="notBreaching",
        actions=[],
    )

    # --- events: application auto scaling ---------------------------------------------------------
    rid = f"table/{TABLE}"
    for when, _old, new in scale_events:
        c.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": c.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {int(new)}.",
                    "Cause": f"monitor alarm {hi} in state ALARM triggered policy {TABLE}-scaling-policy",
                    "StartTime": iso(when),
                    "EndTime": iso(when + timedelta(seconds=r.randint(40, 90))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(new)}. "
                    "Change successfully fulfilled by dynamodb.",
                },
            }
        )
    if scale_events:
        last = scale_events[-1][0]
        t = last + timedelta(minutes=3)
        while t < now:
            c.events.append(
                {
                    "source": "application_autoscaling",
                    "item": {
                        "ActivityId": c.uid(),
                        "ServiceNamespace": "dynamodb",
                        "ResourceId": rid,
                        "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                        "Description": "Attempting to set write capacity units.",
                        "Cause": f"monitor alarm {hi} in state ALARM triggered policy {TABLE}-scaling-policy",
                        "StartTime": iso(t),
                        "EndTime": iso(t),
                        "StatusCode": "Successful",
                        "StatusMessage": "Failed to set write capacity units. Reason: the desired capacity is already at "
                        "the maximum capacity.",
                        "NotScaledReasons": [
                            {
                                "Code": "AlreadyAtMaxCapacity",
                                "MaxCapacity": max_wcu,
                                "CurrentCapacity": max_wcu,
                            }
                        ],
                    },
                }
            )
            t += timedelta(minutes=r.randint(5, 9))

    # --- logs -------------------------------------------------------------------------------------
    group = f"/aws/lambda/{FN}"
    streams = [c.lambda_stream(start) for _ in range(4)]
    for m in minutes(start, now):
        k = 1 if recv[m] < 200 else 6
        for _ in range(k if recv[m] else 0):
            st = r.choice(streams) if recv[m] < 200 else c.lambda_stream(m)
            if recv[m] >= 200 and r.random() < 0.7:
                streams.append(st)
            t0 = m + timedelta(seconds=r.uniform(0, 55))
            frac = fails[m] / max(recv[m], 1)
            lines: list[tuple[float, str]] = []
            nfail = sum(1 for _ in range(10) if r.random() < frac) if recv[m] > 20 else 0
            span = dur[m] * 1000
            for j in range(10 if recv[m] > 20 else r.randint(1, 3)):
                sub = f"sub_{c.upper(14, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}"
                off = span * (j + 1) / 11
                if j < nfail:
                    msg = {
                        "level": "ERROR",
                        "location": "write_ledger:142",
                        "message": f"ledger write failed for {sub}; renewal left for retry",
                        "exception": "botocore.errorfactory.ProvisionedThroughputExceededException: An error "
                        "occurred (ProvisionedThroughputExceededException) when calling the PutItem operation "
                        "(reached max retries: 9): The level of configured provisioned throughput for the "
                        "table was exceeded. Consider increasing your provisioning level with the UpdateTable "
                        "API.",
                        "exception_name": "ProvisionedThroughputExceededException",
                    }
                else:
                    msg = {
                        "level": "INFO",
                        "location": "handle_record:71",
                        "message": f"renewal charged for {sub}",
                        "plan": r.choice(["monthly-2", "monthly-4", "annual-2", "weekly-3"]),
                        "charge_id": "ch_"
                        + c.upper(24, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
                    }
                msg.update(
                    {
                        "timestamp": (t0 + timedelta(milliseconds=off)).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
                        + "+0000",
                        "service": FN,
                        "function_request_id": "{rid}",
                    }
                )
                lines.append((off, json.dumps(msg) + "\n"))
            if nfail:
                lines.append(
                    (
                        span - 5,
                        json.dumps(
                            {
                                "level": "WARNING",
                                "location": "handler:38",
                                "message": f"returning {nfail} batchItemFailures of 10",
                                "timestamp": (t0 + timedelta(milliseconds=span - 5)).strftime(
                                    "%Y-%m-%d %H:%M:%S,%f"
                                )[:-3]
                                + "+0000",
                                "service": FN,
                                "function_request_id": "{rid}",
                            }
                        )
                        + "\n",
                    )
                )
            c.invocation(group, st, t0, round(span, 2), 1024, r.randint(150, 190), lines)

    # --- resources --------------------------------------------------------------------------------
    created = day - timedelta(days=r.randint(300, 700))
    tarn = c.arn("dynamodb", f"table/{TABLE}")
    inc = scale_events[-1][0] if scale_events else start
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "TableName": TABLE,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "LastIncreaseDateTime": iso(inc),
                "LastDecreaseDateTime": iso(start - timedelta(hours=r.randint(5, 9))),
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 250,
                "WriteCapacityUnits": max_wcu,
            },
            "TableSizeBytes": r.randint(40, 90) * 10**9,
            "ItemCount": r.randint(80, 190) * 10**6,
            "TableArn": tarn,
            "TableId": c.uid(),
            "BillingModeSummary": {"BillingMode": "PROVISIONED"},
            "SSEDescription": {
                "Status": "ENABLED",
                "SSEType": "KMS",
                "KMSMasterKeyArn": c.arn("kms", f"key/{c.uid()}"),
            },
            "TableClassSummary": {"TableClass": "STANDARD"},
            "DeletionProtectionEnabled": True,
        },
    )
    c.res(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "promo-codes",
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "KeySchema": [{"AttributeName": "code", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "code", "AttributeType": "S"}],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(start + timedelta(minutes=50)),
            },
            "TableArn": c.arn("dynamodb", "table/promo-codes"),
            "TableSizeBytes": 81_220_114,
            "ItemCount": 412_230,
        },
    )
    c.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "MinCapacity": min_wcu,
            "MaxCapacity": max_wcu,
            "RoleARN": f"arn:aws:iam::{c.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "CreationTime": iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    c.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": pol_arn,
            "PolicyName": f"${TABLE}-scaling-policy",
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
                "DisableScaleIn": False,
            },
            "Alarms": [
                {"AlarmName": hi, "AlarmARN": c.arn("cloudwatch", f"alarm:{hi}")},
                {"AlarmName": lo, "AlarmARN": c.arn("cloudwatch", f"alarm:{lo}")},
            ],
            "CreationTime": iso(created),
        },
    )
    c.role("renewal-charger-role", "lambda.amazonaws.com", created)
    c.role("renewal-batch-sfn", "states.amazonaws.com", created)
    c.role("scheduler-renewals", "scheduler.amazonaws.com", created)
    mailer_deploy = run - timedelta(hours=r.randint(2, 3), minutes=r.randint(0, 50))
    fn = c.lambda_fn(
        FN,
        "renewal-charger-role",
        timeout=120,
        memory=1024,
        modified=created + timedelta(days=200),
        env={
            "LEDGER_TABLE": TABLE,
            "POWERTOOLS_SERVICE_NAME": FN,
            "PAYMENTS_SECRET_ARN": c.arn(
                "secretsmanager", f"secret:prod/payments/api-key-{c.upper(6, 'abcdefghijkmnopq')}"
            ),
        },
        description="Charges due renewals and writes the ledger",
    )
    c.lambda_fn(MAILER, "renewal-charger-role", timeout=30, memory=256, modified=mailer_deploy)
    qarn = c.queue(
        Q,
        {
            "VisibilityTimeout": "180",
            "RedrivePolicy": f'{{"deadLetterTargetArn":"{c.arn("sqs", DLQ)}","maxReceiveCount":4}}',
            "ApproximateNumberOfMessages": str(round(visible[max(visible)])),
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
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": qarn,
            "FunctionArn": fn["FunctionArn"],
            "LastModified": iso(created),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {"MaximumConcurrency": 50},
            "EventSourceMappingArn": c.arn("lambda", f"event-source-mapping:{esm}"),
        },
    )
    smarn = c.arn("states", f"stateMachine:{SM}")
    c.res(
        "stepfunctions",
        "DescribeStateMachineOutput",
        {
            "stateMachineArn": smarn,
            "name": SM,
            "status": "ACTIVE",
            "type": "STANDARD",
            "roleArn": f"arn:aws:iam::{c.account}:role/renewal-batch-sfn",
            "creationDate": iso(created),
            "definition": json.dumps(
                {
                    "Comment": "Enqueue renewals due today",
                    "StartAt": "ListDue",
                    "States": {
                        "ListDue": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::athena:startQueryExecution.sync",
                            "Parameters": {"QueryString.$": "$.query", "WorkGroup": "billing"},
                            "Next": "Enqueue",
                        },
                        "Enqueue": {
                            "Type": "Map",
                            "ItemReader": {
                                "Resource": "arn:aws:states:::s3:getObject",
                                "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"},
                                "Parameters": {
                                    "Bucket": "harvestcrate-athena-results",
                                    "Key.$": "$.resultKey",
                                },
                            },
                            "ItemBatcher": {"MaxItemsPerBatch": 10},
                            "MaxConcurrency": 40,
                            "ItemProcessor": {
                                "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                "StartAt": "Send",
                                "States": {
                                    "Send": {
                                        "Type": "Task",
                                        "Resource": "arn:aws:states:::aws-sdk:sqs:sendMessageBatch",
                                        "End": True,
                                    }
                                },
                            },
                            "End": True,
                        },
                    },
                }
            ),
            "loggingConfiguration": {"level": "ERROR", "includeExecutionData": False},
            "tracingConfiguration": {"enabled": False},
        },
    )
    for k in range(4):
        d0 = run - timedelta(days=k)
        started = d0 - timedelta(seconds=r.randint(0, 20))
        item = {
            "executionArn": c.arn("states", f"execution:{SM}:{c.uid()}"),
            "stateMachineArn": smarn,
            "name": c.uid(),
            "status": "SUCCEEDED",
            "startDate": iso(started),
            "stopDate": iso(started + timedelta(seconds=(362 if k == 0 else r.randint(70, 95)))),
        }
        c.res("stepfunctions", "DescribeExecutionOutput", item)
    c.res(
        "scheduler",
        "GetScheduleOutput",
        {
            "Arn": c.arn("scheduler", f"schedule/billing/{SCHED}"),
            "GroupName": "billing",
            "Name": SCHED,
            "ScheduleExpression": "cron(0 5 * * ? *)",
            "ScheduleExpressionTimezone": "America/Chicago",
            "State": "ENABLED",
            "CreationDate": iso(created),
            "LastModificationDate": iso(created),
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {
                "Arn": smarn,
                "RoleArn": f"arn:aws:iam::{c.account}:role/scheduler-renewals",
                "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
            },
            "ActionAfterCompletion": "NONE",
        },
    )
    c.log_group(group, 14, created, r.randint(10**9, 5 * 10**9))

    # --- cloudtrail -------------------------------------------------------------------------------
    gha = c.role_identity("gha-deploy-billing", "GitHubActions", mailer_deploy)
    c.ct(
        mailer_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        {"functionName": MAILER, "zipFile": "HIDDEN_DUE_TO_SECURITY_REASONS", "publish": False},
        {
            "functionName": MAILER,
            "functionArn": c.arn("lambda", f"function:{MAILER}"),
            "timeout": 30,
            "memorySize": 256,
            "version": "$LATEST",
            "lastUpdateStatus": "InProgress",
            "revisionId": c.uid(),
        },
        read_only=False,
        agent="aws-sdk-js/3.645.0 ua/2.0 os/linux#6.5.0 lang/js md/nodejs#20.17.0 api/lambda#3.645.0",
        ip="52.169.12.40",
    )
    sso_t = start + timedelta(minutes=50)
    sso = c.role_identity("AWSReservedSSO_DataEngineer_2b7d41c0e9", "priya.raman@harvestcrate.example", sso_t)
    c.ct(
        sso_t,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        sso,
        {"tableName": "promo-codes", "billingMode": "PAY_PER_REQUEST"},
        {
            "tableDescription": {
                "tableName": "promo-codes",
                "tableStatus": "UPDATING",
                "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
            }
        },
        read_only=False,
        agent="console.amazonaws.com",
        ip="73.44.120.8",
    )
    iam_t = run - timedelta(minutes=r.randint(30, 70))
    ops = c.role_identity("AWSReservedSSO_PlatformAdmin_77aa01c3b2", "derek.ng@harvestcrate.example", iam_t)
    c.ct(
        iam_t,
        "iam.amazonaws.com",
        "PutRolePolicy",
        ops,
        {
            "roleName": "analytics-export-role",
            "policyName": "read-curated-bucket",
            "policyDocument": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["s3:GetObject", "s3:ListBucket"],
                            "Resource": [
                                "arn:aws:s3:::harvestcrate-curated",
                                "arn:aws:s3:::harvestcrate-curated/*",
                            ],
                        }
                    ],
                }
            ),
        },
        None,
        read_only=False,
        agent="console.amazonaws.com",
        ip="98.212.33.5",
    )
    c.service_assume(run, "scheduler.amazonaws.com", "scheduler-renewals", c.hexid(32))
    c.service_assume(run + timedelta(seconds=1), "states.amazonaws.com", "renewal-batch-sfn", c.hexid(32))
    for when, old, new in scale_events:
        ident = c.role_identity(
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "AutoScaling-" + c.hexid(8), when
        )
        ident["sessionContext"]["sessionIssuer"]["arn"] = (
            f"arn:aws:iam::{c.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
        )
        ident["invokedBy"] = "dynamodb.application-autoscaling.amazonaws.com"
        c.ct(
            when,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            ident,
            {
                "tableName": TABLE,
                "provisionedThroughput": {"readCapacityUnits": 250, "writeCapacityUnits": int(new)},
            },
            {
                "tableDescription": {
                    "tableName": TABLE,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "readCapacityUnits": 250,
                        "writeCapacityUnits": int(old),
                        "numberOfDecreasesToday": 0,
                    },
                }
            },
            read_only=False,
            agent="dynamodb.application-autoscaling.amazonaws.com",
            ip="dynamodb.application-autoscaling.amazonaws.com",
        )
    for _ in range(5):
        w = start + timedelta(minutes=r.randint(0, int((now - start).total_seconds() // 60)))
        c.service_assume(w, "lambda.amazonaws.com", "renewal-charger-role", FN)
    c.tooling_reads(
        start,
        now,
        r.randint(36, 50),
        [
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("monitoring.amazonaws.com", "GetMetricData", None),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": TABLE}),
            ("dynamodb.amazonaws.com", "ListTables", None),
            (
                "application-autoscaling.amazonaws.com",
                "DescribeScalableTargets",
                {"serviceNamespace": "dynamodb"},
            ),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("states.amazonaws.com", "ListExecutions", {"stateMachineArn": smarn}),
        ],
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": c.account,
        "region": c.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": None, "alarm_event": c.alarm_event(age_alarm)},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": TABLE,
                "category": "limit",
                "failure_mode": "dynamodb-provisioned-write-capacity-at-autoscaling-max",
            },
            "also_accept": [tarn, rid],
            "actions": ["scale", "reconfigure"],
            "chain": [TABLE, FN, Q, DLQ],
        },
    }
    return c.bundle(manifest, now)
