"""No fault: an S3-triggered Lambda with reserved concurrency throttles at every hourly partner drop."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzv import Ctx, clock, iso

NAME = "invoice-normalizer-hourly-throttles"
TITLE = "invoice-normalizer throttles page after the partner's hourly file drop"
SUMMARY = (
    "Reserved concurrency caps an S3-triggered Lambda on purpose; each hourly partner drop throttles it for a "
    "few minutes while Lambda's asynchronous queue retries every event and nothing is dropped."
)


def build(seed: int) -> Bundle:
    c = Ctx(seed, "invoice-normalizer")
    r = c.rng
    page_hour = c.day + timedelta(hours=r.randint(14, 18))
    drop_min = r.randint(0, 4)
    start = page_hour - timedelta(hours=3, minutes=r.randint(30, 50))
    now = page_hour + timedelta(minutes=r.randint(34, 44))
    old = c.day - timedelta(days=r.randint(200, 500))
    reserved = r.choice([10, 10, 15])
    fn = "invoice-normalizer"
    inbound = f"partner-invoices-inbound-{c.account}"
    curated = f"invoices-curated-{c.account}"
    dlq = "invoice-normalizer-failed"
    per_file_ms = r.uniform(2400, 3400)
    capacity = reserved * 60000 / per_file_ms  # files a minute at full concurrency

    topic = c.topic("finance-data-oncall")
    role = c.role(f"{fn}-role", "lambda.amazonaws.com", old)
    c.bucket(inbound, old)
    c.bucket(curated, old)
    deploy_t = page_hour - timedelta(minutes=r.randint(35, 50))
    c.function(
        fn,
        role,
        "python3.12",
        "normalize.handler",
        timeout=60,
        memory=1536,
        modified=deploy_t,
        env={
            "CURATED_BUCKET": curated,
            "LEDGER_DB_SECRET": "ledger/normalizer",
            "POWERTOOLS_SERVICE_NAME": fn,
        },
        description="Parses partner invoice PDFs/CSVs into curated JSON and the ledger DB",
    )
    c.res("lambda", "FunctionConcurrency", {"FunctionName": fn, "ReservedConcurrentExecutions": reserved})
    dlq_arn = c.arn("sqs", dlq)
    c.res(
        "lambda",
        "FunctionEventInvokeConfig",
        {
            "LastModified": iso(old),
            "FunctionArn": c.arn("lambda", f"function:{fn}:$LATEST"),
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": dlq_arn}},
        },
    )
    c.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{dlq}",
            "Attributes": {
                "QueueArn": dlq_arn,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(old.timestamp())),
                "LastModifiedTimestamp": str(int(old.timestamp())),
                "VisibilityTimeout": "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "finance-data"},
        },
    )
    c.log_group(f"/aws/lambda/{fn}", old, 30)
    c.log_group("/aws/transfer/s-" + c.hexid(17), old, 30)

    # ---- the hourly drops -------------------------------------------------------------------------
    drops: list[tuple[datetime, int]] = []
    h = page_hour - timedelta(hours=3)
    while h <= page_hour:
        drops.append((h + timedelta(minutes=drop_min, seconds=r.randint(0, 50)), r.randint(1500, 2600)))
        h += timedelta(hours=1)
    drops[-1] = (drops[-1][0], max(d[1] for d in drops) + r.randint(50, 200))  # the paged one is a bit bigger

    received: dict[str, float] = {}
    invoked: dict[str, float] = {}
    throttled: dict[str, float] = {}
    age: dict[str, float] = {}
    conc: dict[str, float] = {}
    t = start.replace(second=0)
    backlog = 0.0
    oldest: datetime | None = None
    queue: list[tuple[datetime, float]] = []
    while t < now:
        arr = r.uniform(0, 3) if r.random() < 0.3 else 0.0  # odd manual uploads between drops
        for dt, n in drops:
            if dt.replace(second=0) <= t < dt.replace(second=0) + timedelta(minutes=3):
                arr += n / 3
        queue.append((t, arr))
        backlog += arr
        done = min(backlog, capacity * r.uniform(0.93, 1.0))
        backlog -= done
        # drain the oldest arrivals first
        left = done
        while queue and left > 0:
            qt, qn = queue[0]
            take = min(qn, left)
            left -= take
            if take >= qn:
                queue.pop(0)
            else:
                queue[0] = (qt, qn - take)
        oldest = queue[0][0] if queue and backlog > 0.5 else None
        key = iso(t)
        received[key] = arr
        invoked[key] = done
        # while capped, Lambda's poller keeps trying queued events and counts each refused try
        throttled[key] = backlog * r.uniform(0.9, 1.4) if backlog > 1 else 0.0
        age[key] = (
            ((t - oldest).total_seconds() * 1000 + r.uniform(20000, 50000)) if oldest else r.uniform(15, 60)
        )
        conc[key] = (
            float(reserved) if backlog > 1 else max(1.0, round(done * per_file_ms / 60000 + r.uniform(0, 1)))
        )
        t += timedelta(minutes=1)

    fdim = {"FunctionName": fn}
    c.series("AWS/Lambda", "Invocations", fdim, "Count", start, now, lambda t: invoked.get(iso(t)))
    c.series("AWS/Lambda", "Throttles", fdim, "Count", start, now, lambda t: throttled.get(iso(t)))
    c.series(
        "AWS/Lambda",
        "Errors",
        fdim,
        "Count",
        start,
        now,
        lambda t: float(r.choice([0] * 60 + [1])) if invoked.get(iso(t), 0) > 20 else 0.0,
    )
    c.series(
        "AWS/Lambda",
        "Duration",
        fdim,
        "Milliseconds",
        start,
        now,
        lambda t: per_file_ms * r.uniform(0.85, 1.15) if invoked.get(iso(t), 0) > 0.5 else None,
        stat=True,
    )
    c.series("AWS/Lambda", "ConcurrentExecutions", fdim, "Count", start, now, lambda t: conc.get(iso(t)))
    c.series("AWS/Lambda", "AsyncEventsReceived", fdim, "Count", start, now, lambda t: received.get(iso(t)))
    c.series("AWS/Lambda", "AsyncEventAge", fdim, "Milliseconds", start, now, lambda t: age.get(iso(t)))
    c.series("AWS/Lambda", "AsyncEventsDropped", fdim, "Count", start, now, lambda t: 0.0)
    c.series(
        "AWS/Lambda",
        "DestinationDeliveryFailures",
        fdim,
        "Count",
        start,
        now,
        lambda t: 0.0 if t.minute % 5 == 0 else None,
    )
    c.series(
        "AWS/Lambda",
        "ConcurrentExecutions",
        {},
        "Count",
        start,
        now,
        lambda t: conc.get(iso(t), 1.0) + r.uniform(18, 35),
    )
    c.series(
        "AWS/Lambda", "UnreservedConcurrentExecutions", {}, "Count", start, now, lambda t: r.uniform(18, 35)
    )

    # ---- logs -------------------------------------------------------------------------------------
    streams = [f"{start.strftime('%Y/%m/%d')}/[$LATEST]{c.hexid(32)}" for _ in range(reserved)]
    for dt, n in drops:
        for _ in range(r.randint(8, 14)):
            lt = dt + timedelta(seconds=r.randint(5, int(n / capacity * 60)))
            key = f"incoming/{dt.strftime('%Y%m%d%H')}/INV-{r.randint(1000000, 9999999)}.pdf"
            c.lambda_invocation_logs(
                fn,
                r.choice(streams),
                lt,
                per_file_ms * r.uniform(0.8, 1.2),
                1536,
                r.randint(300, 420),
                [
                    f'{{"level":"INFO","location":"handler:41","message":"normalizing s3://{inbound}/{key}",'
                    f'"timestamp":"{iso(lt)[:-1]},{r.randint(100, 999)}+0000","service":"{fn}"}}\n',
                    f'{{"level":"INFO","location":"handler:77","message":"wrote ledger rows","rows":{r.randint(1, 40)},'
                    f'"timestamp":"{iso(lt)[:-1]},{r.randint(100, 999)}+0000","service":"{fn}"}}\n',
                ],
            )

    # ---- CloudTrail -------------------------------------------------------------------------------
    eng = c.role_identity("AWSReservedSSO_FinanceDataEng_77b2de", "marta.kowalczyk@corp", sso=True)
    ci = c.role_identity("finance-data-deployer", "codebuild")
    c.ct(
        c.day - timedelta(days=r.randint(15, 30), hours=r.randint(0, 6)),
        "lambda.amazonaws.com",
        "PutFunctionConcurrency20171031",
        eng,
        {"functionName": fn, "reservedConcurrentExecutions": reserved},
        {"reservedConcurrentExecutions": reserved},
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.ct(
        deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": fn,
            "publish": False,
            "dryRun": False,
            "s3Bucket": f"finance-artifacts-{c.account}",
            "s3Key": f"{fn}/build-{r.randint(400, 900)}.zip",
        },
        {
            "functionName": fn,
            "functionArn": c.arn("lambda", f"function:{fn}"),
            "runtime": "python3.12",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "codeSha256": c.hexid(43) + "=",
        },
        agent="aws-sdk-java/2.25.11 Linux/5.10.213 OpenJDK_64-Bit_Server_VM/17.0.10 exec-env/AWS_ECS_EC2 "
        "ua/2.0 app/AWS-CodeBuild",
        ip="3.72.11.190",
    )
    for dt, _ in drops:
        ct_t = dt + timedelta(minutes=r.randint(25, 32))
        if ct_t < now:
            c.ct(
                ct_t,
                "glue.amazonaws.com",
                "StartCrawler",
                c.role_identity("finance-airflow", "airflow"),
                {"name": "invoices_curated_crawler"},
                None,
                agent="Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 Botocore/1.34.11",
                ip="10.44.3.21",
            )
            qid = c.uid()
            c.ct(
                ct_t + timedelta(minutes=r.randint(4, 9)),
                "athena.amazonaws.com",
                "StartQueryExecution",
                c.role_identity("finance-airflow", "airflow"),
                {"queryString": "MSCK REPAIR TABLE ... ***OMITTED***", "workGroup": "finance-etl"},
                {"queryExecutionId": qid},
                agent="Boto3/1.34.11 md/Botocore#1.34.11 ua/2.0 Botocore/1.34.11",
                ip="10.44.3.21",
            )
    c.ct(
        now - timedelta(minutes=r.randint(3, 8)),
        "lambda.amazonaws.com",
        "GetFunctionConcurrency",
        eng,
        {"functionName": fn},
        None,
        read_only=True,
        agent="AWS Internal",
        ip="AWS Internal",
    )
    c.readonly_noise(
        start,
        now,
        [
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("lambda.amazonaws.com", "GetFunction", {"functionName": fn}),
            ("s3.amazonaws.com", "GetBucketNotification", {"bucketName": inbound, "notification": ""}),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{dlq}"},
            ),
            ("monitoring.amazonaws.com", "DescribeAlarms", None),
            ("glue.amazonaws.com", "GetCrawler", {"name": "invoices_curated_crawler"}),
        ],
        r.randint(35, 55),
    )

    # ---- alarms -----------------------------------------------------------------------------------
    transitions: list[tuple[datetime, str, str, list[float]]] = []
    last_alarm = drops[-1][0]
    for dt, _ in drops:
        period = dt.replace(second=0, minute=dt.minute - dt.minute % 5)

        def window(p: datetime) -> float:
            return sum(throttled.get(iso(p + timedelta(minutes=j)), 0.0) for j in range(5))

        while window(period) <= 100 and period < dt + timedelta(minutes=10):
            period += timedelta(minutes=5)
        at = period + timedelta(minutes=5, seconds=r.randint(40, 110))
        if at >= now:
            continue
        win = window(period)
        transitions.append(
            (
                at,
                "ALARM",
                f"Threshold Crossed: 1 datapoint [{round(win, 1)} ({period.strftime('%d/%m/%y %H:%M:00')})] "
                "was greater than the threshold (100.0).",
                [round(win, 1)],
            )
        )
        last_alarm = at
        probe = period + timedelta(minutes=5)
        while probe < now and window(probe) > 100:
            probe += timedelta(minutes=5)
        ok_t = probe + timedelta(minutes=5, seconds=r.randint(40, 110))
        if ok_t < now:
            transitions.append(
                (
                    ok_t,
                    "OK",
                    f"Threshold Crossed: 1 datapoint [{round(window(probe), 1)} ({probe.strftime('%d/%m/%y %H:%M:00')})] "
                    "was not greater than the threshold (100.0).",
                    [round(window(probe), 1)],
                )
            )
    alarm = c.alarm(
        f"{fn}-throttles",
        "AWS/Lambda",
        "Throttles",
        fdim,
        "Sum",
        300,
        1,
        100.0,
        "GreaterThanThreshold",
        topic,
        description="invoice-normalizer is being throttled",
        missing="notBreaching",
        transitions=transitions,
        created=c.day - timedelta(days=r.randint(1, 4)),
    )
    ev = c.alarm_event(alarm, last_alarm, last_alarm - timedelta(minutes=47))
    ev["detail"]["state"]["value"] = "ALARM"
    for at, _, why, pts in transitions:
        if at == last_alarm:
            ev["detail"]["state"]["reason"] = why
            ev["detail"]["state"]["reasonData"] = json.dumps(
                c.reason_data(at, "Sum", 300, 100.0, pts), separators=(",", ":")
            )
    c.alarm(
        f"{fn}-errors",
        "AWS/Lambda",
        "Errors",
        fdim,
        "Sum",
        300,
        1,
        10.0,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
        created=old,
    )
    c.alarm(
        f"{fn}-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Maximum",
        300,
        1,
        0.0,
        "GreaterThanThreshold",
        topic,
        missing="notBreaching",
        created=old,
    )
    local = ["America/New_York", "America/Toronto", "America/Chicago"][r.randrange(3)]
    return c.bundle(
        TITLE,
        start,
        now,
        {
            "question": f"Got paged for invoice-normalizer throttles around {clock(last_alarm, local)}. Are we "
            "losing partner invoices? Should I bump its concurrency?",
            "alarm_event": ev,
            "timezone": local,
        },
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
