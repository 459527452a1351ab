"""After seeing Textract throttling warnings, an engineer caps the OCR extractor Lambda's reserved
concurrency at 2 from the console. The SQS-triggered function now needs ~8 concurrent executions:
its pollers are throttled, the inbound queue backs up and messages start landing in the DLQ."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_d import (
    Ctx,
    background_trail,
    ct,
    diurnal,
    grid,
    iam_role,
    iso,
    lambda_function,
    lambda_invocation,
    lambda_stream,
    log_group,
    py_ts,
    role_session,
    sso_user,
)

NAME = "lambda-reserved-concurrency-too-low"
TITLE = "inbound documents piling up, OCR looks stuck"
SUMMARY = (
    "Reserved concurrency on the SQS-triggered OCR extractor was set to 2 by hand; its pollers are "
    "throttled, the inbound-documents queue backs up and messages move to the DLQ."
)

BOTO = "Boto3/1.34.131 md/Botocore#1.34.131 ua/2.0 os/linux#5.10.219-229.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#standard Botocore/1.34.131"


def build(seed: int) -> Bundle:
    probe = Ctx(NAME, seed)
    zone, region = probe.rng.choice(
        [
            ("America/New_York", "us-east-1"),
            ("America/Chicago", "us-east-2"),
            ("America/Toronto", "ca-central-1"),
            ("Europe/Amsterdam", "eu-west-1"),
        ]
    )
    ctx = Ctx(NAME, seed, region=region)
    rng = ctx.rng
    tz = ZoneInfo(zone)
    day = ctx.day()
    local_change = datetime(
        day.year, day.month, day.day, rng.randrange(9, 15), rng.randrange(60), rng.randrange(60), tzinfo=tz
    )
    t_change = local_change.astimezone(ZoneInfo("UTC"))
    onset = t_change + timedelta(seconds=rng.randrange(20, 70))
    start = onset - timedelta(hours=3, minutes=rng.randrange(10, 50))
    now = onset + timedelta(minutes=rng.randrange(38, 58), seconds=rng.randrange(60))
    points = grid(start, now, start)
    peak = 12 + rng.uniform(2, 6)
    fn = "document-ocr-extractor"
    queue, dlq = "inbound-documents", "inbound-documents-dlq"
    org = rng.choice(["claimsly", "docuvault", "underwrite", "ledgerly"])
    bucket = f"{org}-inbound-documents-prod"
    batch = 5
    per_doc = rng.uniform(8.5, 11.0)  # seconds of work per document
    inflow = rng.uniform(40, 60)  # documents per minute at the daily mean
    cap = 2
    vt, max_receives = 300, 4

    # --- resources --------------------------------------------------------------------------------
    role = iam_role(ctx, f"{fn}-role", "lambda.amazonaws.com", day - timedelta(days=330), last_used=onset)
    fconf = lambda_function(
        ctx,
        fn,
        role_arn=role["Arn"],
        runtime="python3.12",
        handler="app.handler",
        memory=2048,
        timeout=180,
        modified=day - timedelta(days=rng.randrange(4, 20)),
        env={
            "OUTPUT_TABLE": "document-extractions",
            "TEXTRACT_FEATURES": "TABLES,FORMS",
            "POWERTOOLS_SERVICE_NAME": "ocr-extractor",
        },
        description="Runs Textract on inbound claim documents",
        arch="arm64",
    )
    ctx.res("lambda", "FunctionConcurrency", {"FunctionName": fn, "ReservedConcurrentExecutions": cap})
    q_arn, dlq_arn = ctx.arn("sqs", queue), ctx.arn("sqs", dlq)
    ctx.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": ctx.uuid(),
            "BatchSize": batch,
            "MaximumBatchingWindowInSeconds": 5,
            "EventSourceArn": q_arn,
            "FunctionArn": fconf["FunctionArn"],
            "LastModified": iso(day - timedelta(days=90)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )
    for name, arn, attrs in (
        (
            queue,
            q_arn,
            {
                "VisibilityTimeout": str(vt),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receives}, separators=(",", ":")
                ),
            },
        ),
        (dlq, dlq_arn, {"VisibilityTimeout": "30"}),
    ):
        ctx.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account}/{name}",
                "Attributes": {
                    "QueueArn": arn,
                    "MessageRetentionPeriod": "1209600",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "DelaySeconds": "0",
                    "MaximumMessageSize": "262144",
                    "SqsManagedSseEnabled": "true",
                    "CreatedTimestamp": str(int((day - timedelta(days=330)).timestamp())),
                    "LastModifiedTimestamp": str(int((day - timedelta(days=60)).timestamp())),
                    **attrs,
                },
                "Tags": {"team": "claims-intake"},
            },
        )
    ctx.res(
        "s3",
        "Bucket",
        {
            "Name": bucket,
            "CreationDate": iso(day - timedelta(days=900)),
            "BucketRegion": ctx.region,
            "BucketArn": f"arn:aws:s3:::{bucket}",
        },
    )
    others = [
        lambda_function(
            ctx,
            "document-classifier",
            role_arn=f"arn:aws:iam::{ctx.account}:role/document-classifier-role",
            runtime="python3.12",
            handler="app.handler",
            memory=1536,
            timeout=60,
            modified=t_change - timedelta(minutes=rng.randrange(14, 26)),
            description="Classifies extracted documents",
            arch="arm64",
        ),
        lambda_function(
            ctx,
            "document-thumbnailer",
            role_arn=f"arn:aws:iam::{ctx.account}:role/document-thumbnailer-role",
            runtime="nodejs20.x",
            handler="index.handler",
            memory=1024,
            timeout=30,
            modified=onset + timedelta(minutes=rng.randrange(5, 20)),
            description="First-page thumbnails for the claims UI",
            arch="arm64",
        ),
    ]
    ctx.res(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": "document-classifier", "ReservedConcurrentExecutions": 50},
    )
    for f in (fn, "document-classifier", "document-thumbnailer"):
        log_group(ctx, f"/aws/lambda/{f}", day - timedelta(days=300), retention=30)

    # --- dynamics ---------------------------------------------------------------------------------
    demand_conc = inflow * per_doc / 60  # concurrent executions the mean inflow needs
    backlog = 0.0
    dlq_depth = 0.0
    oldest = 0.0
    inv_times: list[tuple[datetime, float, bool]] = []
    for t, _step in points:
        arrivals = ctx.count(inflow * diurnal(t, peak, 0.35))
        capped = t >= onset.replace(second=0)
        capacity_docs = (cap * 60 / (per_doc * batch)) * batch if capped else 1e9
        work = backlog + arrivals
        done = min(work, capacity_docs * rng.uniform(0.9, 1.0))
        backlog = work - done
        if capped:
            oldest = min(oldest + 60, (t - onset).total_seconds() + 60)
            moved = ctx.count(backlog * 0.04) if (t - onset).total_seconds() > vt * (max_receives - 1) else 0
            backlog -= moved
            dlq_depth += moved
        else:
            oldest = rng.uniform(2, 9)
        invocations = max(0, round(done / batch))
        conc = min(cap, invocations * per_doc * batch / 60) if capped else invocations * per_doc * batch / 60
        throttles = (
            ctx.count(max(0.0, demand_conc * diurnal(t, peak, 0.35) - cap) * rng.uniform(5, 9))
            if capped
            else 0
        )
        errs = ctx.count(invocations * 0.01)
        fd = {"FunctionName": fn}
        if invocations:
            ctx.put("AWS/Lambda", "Invocations", fd, t, "Count", invocations)
            ctx.put("AWS/Lambda", "Errors", fd, t, "Count", errs)
            dur = per_doc * batch * 1000
            ctx.put(
                "AWS/Lambda",
                "Duration",
                fd,
                t,
                "Milliseconds",
                stats=(invocations, dur * invocations * rng.uniform(0.95, 1.05), dur * 0.4, dur * 1.6),
            )
            ctx.put(
                "AWS/Lambda",
                "ConcurrentExecutions",
                fd,
                t,
                "Count",
                stats=(1, conc, conc, max(conc, min(cap, conc + 1)) if capped else conc + rng.uniform(0, 3)),
            )
            for _ in range(invocations):
                inv_times.append(
                    (
                        t + timedelta(seconds=rng.uniform(0, 59)),
                        dur * rng.uniform(0.6, 1.4),
                        rng.random() < 0.01,
                    )
                )
        ctx.put("AWS/Lambda", "Throttles", fd, t, "Count", throttles)
        acct = conc + rng.uniform(18, 35) * diurnal(t, peak, 0.3)
        ctx.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            {},
            t,
            "Count",
            stats=(1, acct, acct, acct + rng.uniform(2, 8)),
        )
        ctx.put(
            "AWS/Lambda",
            "UnreservedConcurrentExecutions",
            {},
            t,
            "Count",
            stats=(1, acct - conc, acct - conc, acct - conc + rng.uniform(2, 8)),
        )
        qd, dd = {"QueueName": queue}, {"QueueName": dlq}
        ctx.put("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", arrivals)
        ctx.put(
            "AWS/SQS",
            "NumberOfMessagesReceived",
            qd,
            t,
            "Count",
            round(done + (throttles * batch * 0.2 if capped else 0)),
        )
        ctx.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", round(done * 0.99))
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", round(backlog))
        ctx.put(
            "AWS/SQS",
            "ApproximateNumberOfMessagesNotVisible",
            qd,
            t,
            "Count",
            round(conc * batch + (throttles * 0.5 if capped else 0)),
        )
        ctx.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", round(oldest))
        ctx.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", round(dlq_depth))
        ctx.put("AWS/SQS", "NumberOfMessagesSent", dd, t, "Count", 0)
        for oname, base_rate, d_ms in (
            ("document-classifier", 0.9, 2300.0),
            ("document-thumbnailer", 0.5, 700.0),
        ):
            od = {"FunctionName": oname}
            n = ctx.count(base_rate * done / 1.0) if done else 0
            if n:
                ctx.put("AWS/Lambda", "Invocations", od, t, "Count", n)
                ctx.put("AWS/Lambda", "Errors", od, t, "Count", 0)
                ctx.put("AWS/Lambda", "Throttles", od, t, "Count", 0)
                ctx.put(
                    "AWS/Lambda",
                    "Duration",
                    od,
                    t,
                    "Milliseconds",
                    stats=(n, n * d_ms * rng.uniform(0.9, 1.1), d_ms * 0.4, d_ms * 2.5),
                )

    topic = ctx.arn("sns", "claims-intake-alerts")
    ctx.alarm(
        f"{queue}-age",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": queue},
        statistic="Maximum",
        period=300,
        evaluation_periods=2,
        threshold=900,
        comparison="GreaterThanThreshold",
        actions=[topic],
        ok_actions=[topic],
        description="Inbound documents waiting more than 15 minutes for OCR",
    )
    ctx.alarm(
        f"{fn}-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=10,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[topic],
    )
    ctx.alarm(
        f"{dlq}-visible",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": dlq},
        statistic="Maximum",
        period=300,
        evaluation_periods=1,
        threshold=0,
        comparison="GreaterThanThreshold",
        actions=[topic],
    )
    ctx.alarm(
        "document-classifier-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": "document-classifier"},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=10,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        actions=[topic],
    )
    ctx.evaluate_alarms(start, now, since=day - timedelta(days=rng.randrange(3, 20)))

    # --- logs -------------------------------------------------------------------------------------
    grp = f"/aws/lambda/{fn}"
    streams: list[str] = []
    for t, dur, failed in sorted(inv_times):
        if t > now:
            break
        cold = (len(streams) < (cap if t >= onset else 8) and rng.random() < 0.08) or not streams
        if t >= onset and len(streams) > cap:
            streams = streams[-cap:]
        if cold:
            streams.append(lambda_stream(ctx, t))
        stream = streams[-1] if cold else rng.choice(streams)
        body: list[tuple[float, str]] = []
        ts = t + timedelta(milliseconds=60)
        body.append(
            (
                60.0,
                f'{{"level":"INFO","location":"handler:41","message":"received batch","service":"ocr-extractor","timestamp":"{py_ts(ts)}","xray_trace_id":"1-{ctx.hex(8)}-{ctx.hex(24)}","records":{batch}}}',
            )
        )
        if t < onset and diurnal(t, peak, 0.35) > 1.2 and rng.random() < 0.25:
            tw = t + timedelta(milliseconds=dur * 0.3)
            body.append(
                (
                    dur * 0.3,
                    f'{{"level":"WARNING","location":"textract_client:88","message":"Textract throttled (ProvisionedThroughputExceededException); retrying AnalyzeDocument in 2.0s","service":"ocr-extractor","timestamp":"{py_ts(tw)}"}}',
                )
            )
        if failed:
            tf = t + timedelta(milliseconds=dur * 0.8)
            body.append(
                (
                    dur * 0.8,
                    f'{{"level":"ERROR","location":"handler:77","message":"document could not be parsed; reporting item failure","service":"ocr-extractor","timestamp":"{py_ts(tf)}","key":"claims/{ctx.alnum(8)}/{ctx.alnum(12)}.pdf","error":"UnsupportedDocumentException"}}',
                )
            )
        te = t + timedelta(milliseconds=dur - 15)
        body.append(
            (
                dur - 15,
                f'{{"level":"INFO","location":"handler:92","message":"batch complete","service":"ocr-extractor","timestamp":"{py_ts(te)}","pages":{rng.randrange(batch, batch * 6)},"failed":{1 if failed else 0}}}',
            )
        )
        lambda_invocation(
            ctx,
            grp,
            stream,
            t,
            duration_ms=dur,
            memory=2048,
            used=rng.randrange(240, 410),
            body=body,
            init_ms=rng.uniform(900, 1500) if cold else None,
        )

    # --- CloudTrail -------------------------------------------------------------------------------
    office = f"{rng.choice([24, 47, 99, 142])}.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    people = ["grace.liu", "mateo.rossi", "anika.shah", "liam.obrien", "yuki.sato"]
    rng.shuffle(people)
    dom = f"{org}.com"
    eng = sso_user(ctx, f"{people[0]}@{dom}", "ClaimsEngineer", ip=office, console=True)
    other = sso_user(ctx, f"{people[1]}@{dom}", "ClaimsEngineer", ip=office)
    background_trail(ctx, start, now, 34, [eng, other])
    lam_ua = "console.amazonaws.com"
    ct(
        ctx,
        t_change - timedelta(minutes=rng.randrange(3, 7)),
        eng,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        params={"functionName": fn},
        read_only=True,
        ua=lam_ua,
    )
    ct(
        ctx,
        t_change - timedelta(minutes=rng.randrange(1, 3)),
        eng,
        "lambda.amazonaws.com",
        "GetFunctionConcurrency",
        params={"functionName": fn},
        read_only=True,
        ua=lam_ua,
    )
    change = ct(
        ctx,
        t_change,
        eng,
        "lambda.amazonaws.com",
        "PutFunctionConcurrency20171031",
        params={"functionName": fn, "reservedConcurrentExecutions": cap},
        response={"reservedConcurrentExecutions": cap},
        ua=lam_ua,
    )
    ct(
        ctx,
        t_change + timedelta(seconds=rng.randrange(30, 90)),
        eng,
        "lambda.amazonaws.com",
        "TagResource20170331v2",
        params={"resource": fconf["FunctionArn"], "tags": {"owner": "claims-intake"}},
        ua=lam_ua,
    )
    t_cls = datetime.fromisoformat(others[0]["LastModified"][:19] + "+00:00")
    ct(
        ctx,
        t_cls,
        other,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        params={"functionName": "document-classifier", "memorySize": 1536},
        response={
            "functionName": "document-classifier",
            "functionArn": others[0]["FunctionArn"],
            "memorySize": 1536,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
    )
    ci = role_session(
        ctx,
        "gha-claims-deploy",
        "GitHubActions",
        ua="aws-sdk-js/3.600.0 ua/2.0 os/linux#6.5.0-1022-azure lang/js md/nodejs#20.14.0 api/lambda#3.600.0",
        ip=f"20.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    t_thumb = datetime.fromisoformat(others[1]["LastModified"][:19] + "+00:00")
    ct(
        ctx,
        t_thumb,
        ci,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        params={"functionName": "document-thumbnailer", "publish": True},
        response={
            "functionName": "document-thumbnailer",
            "functionArn": others[1]["FunctionArn"] + f":{rng.randrange(10, 60)}",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "codeSha256": others[1]["CodeSha256"],
        },
    )
    poller = role_session(
        ctx,
        role["RoleName"],
        fn,
        ua=BOTO,
        ip=f"{rng.choice([3, 18, 44, 54])}.{rng.randrange(0, 255)}.{rng.randrange(0, 255)}.{rng.randrange(1, 255)}",
    )
    t = start
    while t < now:
        t += timedelta(minutes=rng.uniform(8, 20))
        ct(
            ctx,
            t,
            poller,
            "textract.amazonaws.com",
            "GetDocumentAnalysis" if rng.random() < 0.3 else "StartDocumentAnalysis",
            params={"jobId": ctx.hex(64)}
            if rng.random() < 0.3
            else {
                "documentLocation": {
                    "s3Object": {"bucket": bucket, "name": f"claims/{ctx.alnum(8)}/{ctx.alnum(12)}.pdf"}
                },
                "featureTypes": ["TABLES", "FORMS"],
            },
            read_only=True,
        )

    clock = f"{(local_change.hour - 1) % 12 + 1}:{(local_change.minute // 5) * 5:02d}"
    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=f"inbound-documents has been piling up since around {clock} and OCR looks stuck, the DLQ is starting to fill too. Nothing deployed to the extractor today. Can you find out why?",
        alarm_event=None,
        timezone=zone,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": fn,
                "category": "change",
                "failure_mode": "reserved-concurrency-too-low",
                "event_id": change["eventID"],
            },
            "also_accept": [fconf["FunctionArn"]],
            "actions": ["rollback"],
            "chain": [
                f"PutFunctionConcurrency set {fn} reserved concurrency to {cap}",
                f"the SQS event source needs about {round(demand_conc)} concurrent executions; the rest are throttled",
                f"{queue} backlog and oldest-message age climb; messages exceed maxReceiveCount and move to {dlq}",
            ],
        },
    )
