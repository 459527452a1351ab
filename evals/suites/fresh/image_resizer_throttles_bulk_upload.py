"""A merchant's bulk photo upload meets the image resizer's reserved concurrency: throttled, queued, all processed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzze import PEOPLE, Ctx, Stack, iso, minutes

NAME = "image-resizer-throttles-bulk-upload"
TITLE = "image-resizer throttles alarm paged and a merchant's new photos missing from listings"
SUMMARY = (
    "A merchant bulk-uploaded several thousand high-resolution photos; the S3-triggered resizer, capped by its "
    "reserved concurrency, throttled and Lambda queued and retried the asynchronous events; the backlog drained "
    "within about twenty minutes with nothing dropped. No fault."
)

RESERVED = 40


def build(seed: int) -> Bundle:
    c = Ctx(seed)
    st = Stack(c)
    r = c.rng
    t0 = c.onset
    dba, dev = r.sample(PEOPLE, 2)
    deploy_at = t0 - timedelta(minutes=r.randint(40, 70))
    burst_min = r.randint(8, 12)
    burst_rate = r.randint(850, 1050)
    merchant = f"m-{r.randint(10000, 99999)}"
    batch = f"bulk-{t0:%Y%m%d}-{c.hexid(6)}"
    img_dist = "E" + c.upper(13)
    dlq = "image-resizer-failed"

    st.common_resources(search_modified=deploy_at)
    c.res(
        "lambda",
        "FunctionConcurrency",
        {"FunctionName": st.resizer, "ReservedConcurrentExecutions": RESERVED},
    )
    c.res(
        "lambda",
        "FunctionEventInvokeConfig",
        {
            "LastModified": iso(c.start - timedelta(days=r.randint(90, 300))),
            "FunctionArn": c.arn("lambda", f"function:{st.resizer}:$LATEST"),
            "MaximumRetryAttempts": 2,
            "MaximumEventAgeInSeconds": 21600,
            "DestinationConfig": {"OnSuccess": {}, "OnFailure": {"Destination": c.arn("sqs", dlq)}},
        },
    )
    c.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{c.region}.amazonaws.com/{c.account}/{dlq}",
            "Attributes": {
                "QueueArn": c.arn("sqs", dlq),
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "VisibilityTimeout": "30",
                "MessageRetentionPeriod": "1209600",
                "CreatedTimestamp": str(int((c.start - timedelta(days=300)).timestamp())),
                "LastModifiedTimestamp": str(int((c.start - timedelta(days=300)).timestamp())),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "catalog"},
        },
    )

    # --- uploads and the resizer ----------------------------------------------------------------
    st.baseline_search()
    st.table_writes(lambda t: 240 * c.diurnal(t) + 40)
    received: dict[datetime, int] = {}
    processed: dict[datetime, int] = {}
    throttled: dict[datetime, int] = {}
    conc: dict[datetime, float] = {}
    dur: dict[datetime, float] = {}
    age: dict[datetime, float] = {}
    backlog = 0.0
    oldest_wait = 0.0
    drained_at = c.now
    for t in minutes(c.start, c.now):
        normal = int(c.noisy(35 * c.diurnal(t) + 5, 0.3))
        bulk = int(c.noisy(burst_rate, 0.05)) if t0 <= t < t0 + timedelta(minutes=burst_min) else 0
        received[t] = normal + bulk
        d = 1900.0 if not backlog and not bulk else 4900.0
        capacity = RESERVED * 60000 / d * r.uniform(0.95, 1.0)
        want = received[t] + backlog
        done = min(want, capacity)
        processed[t] = int(done)
        backlog = max(0.0, want - done)
        if backlog > 0:
            oldest_wait += 60
            throttled[t] = int(backlog * r.uniform(0.55, 0.8) + min(backlog, 120))
            conc[t] = float(RESERVED)
            if drained_at != c.now:
                drained_at = c.now
        else:
            if oldest_wait > 0:
                drained_at = t
            oldest_wait = 0.0
            throttled[t] = 0
            conc[t] = float(max(1, round(done * d / 60000 + r.uniform(0, 1.5))))
        dur[t] = d
        age[t] = oldest_wait * 1000 if backlog > 0 else c.noisy(180, 0.4)
    fn = {"FunctionName": st.resizer}
    errors = {t: (1 if r.random() < 0.02 else 0) for t in received}
    c.each_minute("AWS/Lambda", "Invocations", fn, "Count", lambda t: float(processed[t]))
    c.each_minute("AWS/Lambda", "Errors", fn, "Count", lambda t: float(errors[t]))
    c.each_minute("AWS/Lambda", "Throttles", fn, "Count", lambda t: float(throttled[t]))
    c.each_minute(
        "AWS/Lambda", "Duration", fn, "Milliseconds", lambda t: c.dur(processed[t], dur[t], 0.35, cap=60000.0)
    )
    c.each_minute("AWS/Lambda", "ConcurrentExecutions", fn, "Count", lambda t: conc[t])
    c.each_minute("AWS/Lambda", "AsyncEventsReceived", fn, "Count", lambda t: float(received[t]))
    c.each_minute(
        "AWS/Lambda",
        "AsyncEventAge",
        fn,
        "Milliseconds",
        lambda t: (age[t] * 0.6 * processed[t], float(max(1, processed[t])), 40.0, age[t]),
    )
    cf = {"DistributionId": img_dist, "Region": "Global"}
    c.each_minute(
        "AWS/CloudFront", "Requests", cf, "None", lambda t: c.noisy(st.search_traffic(t) * 26, 0.05)
    )
    c.each_minute(
        "AWS/CloudFront",
        "4xxErrorRate",
        cf,
        "Percent",
        lambda t: c.noisy(0.4, 0.3) + (min(4.5, age[t] / 120000) if age[t] > 5000 else 0.0),
    )
    c.each_minute("AWS/CloudFront", "5xxErrorRate", cf, "Percent", lambda t: c.noisy(0.02, 0.9))

    # --- resizer logs (sampled) --------------------------------------------------------------------
    group = st.resizer
    stream = c.lambda_stream(c.start)
    streams = [c.lambda_stream(t0) for _ in range(3)]
    t = c.start + timedelta(minutes=r.randint(0, 3))
    while t < c.now:
        m = t.replace(second=0, microsecond=0)
        busy = conc[m] >= RESERVED
        s = r.choice(streams) if t >= t0 else stream
        if busy or (t0 <= t < drained_at):
            key = f"merchants/{merchant}/{batch}/IMG_{r.randint(1000, 9999)}.JPG"
            dims = r.choice(["6000x4000", "5472x3648", "8192x5464"])
            took = r.uniform(4200, 5900)
        else:
            key = f"merchants/m-{r.randint(10000, 99999)}/{c.hexid(8)}.jpg"
            dims = r.choice(["1600x1600", "2000x2000", "1200x1500", "3024x4032"])
            took = r.uniform(1200, 2600)
        if errors.get(m) and not busy:
            line = (
                "{ts}\t{rid}\tERROR\tInvoke Error \t"
                + json.dumps(
                    {
                        "errorType": "Error",
                        "errorMessage": "Input buffer contains unsupported image format",
                        "stack": ["Error: Input buffer contains unsupported image format"],
                    }
                )
                + "\n"
            )
        else:
            line = f"{{ts}}\t{{rid}}\tINFO\tresized s3://{st.uploads}/{key} ({dims}) -> 4 variants in {int(took) - r.randint(40, 120)}ms\n"
        c.lambda_invocation(
            group,
            s,
            c.jitter(t, 0, 0),
            [line],
            duration=took,
            memory=1536,
            used=r.randint(610, 980) if took > 4000 else r.randint(240, 420),
        )
        t += timedelta(seconds=r.randint(20, 60) if t0 <= t < drained_at else r.randint(150, 420))

    # --- CloudTrail -------------------------------------------------------------------------------
    gha = c.role("github-actions-deploy", f"GitHubActions-{r.randint(10**9, 10**10)}")
    fn_arn = c.arn("lambda", f"function:{st.search_fn}")
    c.ct(
        deploy_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        gha,
        req={
            "functionName": st.search_fn,
            "s3Bucket": f"{c.brand}-lambda-artifacts",
            "s3Key": f"search-api/{c.hexid(40)}.zip",
            "publish": False,
        },
        resp={
            "functionName": st.search_fn,
            "functionArn": fn_arn,
            "runtime": "nodejs20.x",
            "codeSha256": st.code_sha[st.search_fn],
            "lastModified": deploy_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
        },
    )
    c.ct(
        deploy_at + timedelta(seconds=8),
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        gha,
        req={"functionName": st.search_fn, "codeSha256": st.code_sha[st.search_fn]},
        resp={
            "functionName": st.search_fn,
            "functionArn": f"{fn_arn}:31",
            "version": "31",
            "state": "Active",
        },
    )
    c.ct(
        deploy_at + timedelta(seconds=11),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        gha,
        req={"functionName": st.search_fn, "name": "live", "functionVersion": "31"},
        resp={
            "aliasArn": f"{fn_arn}:live",
            "name": "live",
            "functionVersion": "31",
            "revisionId": c.uid(),
        },
    )
    lc_at = t0 - timedelta(minutes=r.randint(90, 150))
    c.ct(
        lc_at,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        c.sso(dba),
        req={
            "bucketName": st.uploads,
            "lifecycle": "",
            "LifecycleConfiguration": {
                "Rule": {
                    "ID": "expire-raw-uploads",
                    "Status": "Enabled",
                    "Filter": {"Prefix": "merchants/"},
                    "Transition": {"Days": 30, "StorageClass": "STANDARD_IA"},
                }
            },
        },
        agent="AWS Internal",
    )
    cms = c.role("catalog-cms-publisher", "cms-" + c.hexid(8))
    span = int((c.now - c.start).total_seconds() // 60)
    for _ in range(3):
        tt = c.start + timedelta(minutes=r.randint(5, span - 1), seconds=r.randint(0, 59))
        c.ct(
            tt,
            "cloudfront.amazonaws.com",
            "CreateInvalidation",
            cms,
            req={
                "distributionId": st.dist_id,
                "invalidationBatch": {
                    "paths": {
                        "quantity": 1,
                        "items": [f"/category/{r.choice(['outdoor', 'kitchen', 'lighting', 'sale'])}/*"],
                    },
                    "callerReference": c.hexid(12),
                },
            },
            resp={
                "location": f"https://cloudfront.amazonaws.com/2020-05-31/distribution/{st.dist_id}/invalidation/I{c.upper(13)}",
                "invalidation": {"id": "I" + c.upper(13), "status": "InProgress", "createTime": iso(tt)},
            },
            version="1.10",
        )
    looker = c.sso(dev, "ReadOnlyAccess")
    for name, req in (
        ("GetFunctionConcurrency20190930", {"functionName": st.resizer}),
        ("GetFunction20150331v2", {"functionName": st.resizer}),
        ("GetFunctionEventInvokeConfig20190925", {"functionName": st.resizer}),
    ):
        tt = t0 + timedelta(minutes=r.randint(8, 25), seconds=r.randint(0, 59))
        c.ct(tt, "lambda.amazonaws.com", name, looker, req=req, read_only=True, agent="AWS Internal")
    c.readonly_noise(44, {"table": st.table, "domain": st.domain, "fn": st.resizer, "bucket": st.uploads})

    # --- alarms -----------------------------------------------------------------------------------
    ev = c.alarm(
        "image-resizer-throttles",
        "image-resizer throttled (reserved concurrency 40)",
        "AWS/Lambda",
        "Throttles",
        fn,
        "Sum",
        300,
        1,
        1,
        100.0,
        "GreaterThanThreshold",
        treat="notBreaching",
    )
    c.alarm(
        "image-resizer-errors",
        "image-resizer errors",
        "AWS/Lambda",
        "Errors",
        fn,
        "Sum",
        300,
        1,
        1,
        10.0,
        "GreaterThanThreshold",
        treat="notBreaching",
    )
    c.alarm(
        "images-cdn-4xx-rate",
        "product image CDN 4xx rate",
        "AWS/CloudFront",
        "4xxErrorRate",
        cf,
        "Average",
        300,
        2,
        2,
        2.5,
        "GreaterThanThreshold",
        actions=[c.slack_topic],
    )
    c.alarm(
        "catalog-indexer-iterator-age",
        "Indexer falling behind the catalog-products stream",
        "AWS/Lambda",
        "IteratorAge",
        {"FunctionName": st.indexer},
        "Maximum",
        60,
        5,
        5,
        60000.0,
        "GreaterThanThreshold",
    )
    c.alarm(
        "search-api-duration",
        "search-api average duration",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": st.search_fn},
        "Average",
        60,
        3,
        3,
        400.0,
        "GreaterThanThreshold",
    )
    c.alarm(
        "catalog-cache-engine-cpu",
        "Redis engine CPU on the primary",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": f"{st.cache}-001"},
        "Average",
        60,
        3,
        2,
        30.0,
        "GreaterThanThreshold",
        actions=[c.slack_topic],
    )
    idx = {"FunctionName": st.indexer}
    inv = {t: 10 + r.randint(0, 6) for t in received}
    c.each_minute("AWS/Lambda", "Invocations", idx, "Count", lambda t: float(inv[t]))
    c.each_minute("AWS/Lambda", "Errors", idx, "Count", lambda t: 0.0)
    c.each_minute(
        "AWS/Lambda",
        "IteratorAge",
        idx,
        "Milliseconds",
        lambda t: (c.noisy(420, 0.3) * inv[t], float(inv[t]), 60.0, c.noisy(1400, 0.5)),
    )
    _ = ev

    first = next(h for h in c.history if h["AlarmName"] == "image-resizer-throttles")
    paged = datetime.fromisoformat(str(first["Timestamp"]).replace("Z", "+00:00")).astimezone(
        ZoneInfo("America/Los_Angeles")
    )
    clock = paged.strftime("%-I:%M") + ("pm" if paged.hour >= 12 else "am")
    question = (
        f"Got paged for image-resizer throttles at {clock}, and a merchant ({merchant}) says a lot of the photos they "
        "bulk-uploaded earlier today aren't showing on their listings. Is image processing broken? Should we bump its concurrency?"
    )
    return c.bundle(
        TITLE,
        {"question": question, "alarm_event": None, "timezone": "America/Los_Angeles"},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
