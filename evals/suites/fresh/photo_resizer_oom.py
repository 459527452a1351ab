"""Vehicle photo ingest queue ageing: the resizer runs out of memory on full-resolution uploads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_y import (
    UA_BOTO,
    UA_CLI,
    UA_CONSOLE,
    Json,
    Kit,
    diurnal,
    github_ip,
    iam_role,
    iso,
    iso_ms,
    lambda_function,
    lambda_stream,
    log_group,
    office_ip,
    oidc_assume,
    ticks,
)

NAME = "photo-resizer-oom"
TITLE = "vehicle-photo-ingest oldest-message age alarm on a weekday morning"
SUMMARY = (
    "Dealers' new app version uploads full-resolution photos; the SQS-driven vehicle-photo-resizer Lambda "
    "hits its 1024 MB memory ceiling on batches holding them, whole batches retry and dead-letter."
)


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "us-west-2")
    rng = kit.rng
    acct = kit.account
    day = datetime(2024, 4, 8, tzinfo=UTC) + timedelta(days=rng.randrange(0, 120))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    onset = day + timedelta(hours=15, minutes=rng.randint(5, 80), seconds=rng.randint(0, 59))
    start = onset - timedelta(hours=6, minutes=30)
    lp_at = onset - timedelta(minutes=rng.randint(14, 22), seconds=rng.randint(0, 59))
    fine_from = onset - timedelta(hours=3, minutes=5)
    offset = -7.0
    created = day - timedelta(days=rng.randint(500, 1100))

    # ---- resources ----------------------------------------------------------------------------
    up_bucket = "autotrove-dealer-uploads-prod"
    media_bucket = "autotrove-vehicle-media-prod"
    for b in (up_bucket, media_bucket):
        kit.resource(
            "s3",
            "Bucket",
            {
                "Name": b,
                "CreationDate": iso(created + timedelta(days=rng.randint(0, 30))),
                "BucketRegion": kit.region,
            },
        )
    qname, dlqname = "vehicle-photo-ingest", "vehicle-photo-ingest-dlq"
    q_arn, dlq_arn = kit.arn("sqs", qname), kit.arn("sqs", dlqname)
    q_url = f"https://sqs.{kit.region}.amazonaws.com/{acct}/{qname}"
    dlq_url = f"https://sqs.{kit.region}.amazonaws.com/{acct}/{dlqname}"
    fn_name = "vehicle-photo-resizer"
    idx_name = "listing-search-indexer"
    vis = 360
    max_recv = 3

    fn_role = iam_role(
        kit,
        "vehicle-photo-resizer",
        "lambda.amazonaws.com",
        created + timedelta(days=20),
        onset,
        "photo resizer",
    )
    idx_role = iam_role(
        kit,
        "listing-search-indexer",
        "lambda.amazonaws.com",
        created + timedelta(days=90),
        onset,
        "search indexer",
    )
    mem = 1024
    fn_modified = day - timedelta(days=rng.randint(10, 26), hours=rng.randint(1, 9))
    fn = lambda_function(
        kit,
        fn_name,
        "nodejs20.x",
        "index.handler",
        fn_role["Arn"],
        mem,
        60,
        fn_modified,
        {
            "MEDIA_BUCKET": media_bucket,
            "MEDIA_TABLE": "vehicle-media",
            "VARIANTS": "thumb:320,card:800,gallery:1600,zoom:2400",
            "SHARP_CONCURRENCY": "2",
        },
        "Resizes dealer photo uploads into listing variants",
    )
    lambda_function(
        kit,
        idx_name,
        "python3.12",
        "indexer.handler",
        idx_role["Arn"],
        512,
        120,
        onset + timedelta(minutes=7),
        {
            "OPENSEARCH_ENDPOINT": "https://vpc-listings-prod-"
            + kit.hex(26)
            + f".{kit.region}.es.amazonaws.com"
        },
        "Pushes listing changes into the search index",
    )
    esm_uuid = kit.uuid()
    kit.resource(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 5,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": q_arn,
            "FunctionArn": fn["FunctionArn"],
            "LastModified": iso(created + timedelta(days=21)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": [],
            "ScalingConfig": {"MaximumConcurrency": 40},
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{esm_uuid}"),
        },
    )
    q_created = int((created + timedelta(days=21)).timestamp())
    kit.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": q_arn,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(q_created),
                "LastModifiedTimestamp": str(int(lp_at.timestamp())),
                "VisibilityTimeout": str(vis),
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_recv}, separators=(",", ":")
                ),
                "SqsManagedSseEnabled": "true",
                "Policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "s3-upload-events",
                                "Effect": "Allow",
                                "Principal": {"Service": "s3.amazonaws.com"},
                                "Action": "sqs:SendMessage",
                                "Resource": q_arn,
                                "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{up_bucket}"}},
                            }
                        ],
                    },
                    separators=(",", ":"),
                ),
            },
            "Tags": {"team": "media", "env": "prod"},
        },
    )
    kit.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": dlq_url,
            "Attributes": {
                "QueueArn": dlq_arn,
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(q_created - 60),
                "LastModifiedTimestamp": str(q_created - 60),
                "VisibilityTimeout": "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"team": "media", "env": "prod"},
        },
    )
    table_arn = kit.arn("dynamodb", "table/vehicle-media")
    kit.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "vehicleId", "AttributeType": "S"},
                {"AttributeName": "photoId", "AttributeType": "S"},
            ],
            "TableName": "vehicle-media",
            "KeySchema": [
                {"AttributeName": "vehicleId", "KeyType": "HASH"},
                {"AttributeName": "photoId", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created + timedelta(days=19)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(4, 9) * 10**9,
            "ItemCount": rng.randint(14_000_000, 26_000_000),
            "TableArn": table_arn,
            "TableId": kit.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created + timedelta(days=19)),
            },
            "TableClassSummary": {"TableClass": "STANDARD"},
            "DeletionProtectionEnabled": True,
        },
    )
    topic_arn = kit.arn("sns", "media-pipeline-alerts")
    kit.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "DisplayName": "",
                "Owner": acct,
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "EffectiveDeliveryPolicy": '{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}',
            },
        },
    )
    log_group(
        kit, f"/aws/lambda/{fn_name}", created + timedelta(days=20), 30, rng.randint(10**10, 5 * 10**10)
    )
    log_group(kit, f"/aws/lambda/{idx_name}", created + timedelta(days=90), 14, rng.randint(10**9, 5 * 10**9))

    # ---- the simulation -------------------------------------------------------------------------
    def big_share(t: datetime) -> float:
        m = (t - onset).total_seconds() / 60
        if m < 0:
            return 0.0
        return min(0.33, 0.04 + 0.29 * m / 85)

    peak = rng.uniform(190, 290)  # uploads per minute at the morning peak

    def arrivals(t: datetime) -> float:
        return max(2.0, kit.jitter(peak * diurnal(t, offset, low=0.05, peak_hour=10.5), 0.08))

    # per-minute state, cohorts by receive count and kind (big/small)
    visible = 0.0
    returns: dict[int, list[tuple[int, bool, float, int]]] = {}  # minute index -> (receive count, big, n)
    dlq = 0.0
    pending: list[tuple[int, bool, float, int]] = []  # (rc, big, n, sent_minute) visible messages waiting
    rows: list[Json] = []
    i = 0
    t = start.replace(second=0, microsecond=0)
    while t + timedelta(minutes=1) <= onset + timedelta(hours=3):
        a = arrivals(t)
        s = big_share(t)
        pending.append((0, False, a * (1 - s), i))
        if s > 0:
            pending.append((0, True, a * s, i))
        for rc, big, n, sent in returns.pop(i, []):
            pending.append((rc, big, n, sent))
        visible = sum(n for _, _, n, _ in pending)
        fail_rate_hint = rows[-1]["fail_frac"] if rows else 0.0
        cap = 900.0 * (1 - 0.55 * fail_rate_hint)
        take = min(visible, cap)
        frac = take / visible if visible > 0 else 0.0
        taken = [(rc, big, n * frac, sent) for rc, big, n, sent in pending]
        pending = [(rc, big, n * (1 - frac), sent) for rc, big, n, sent in pending if n * (1 - frac) > 0.01]
        big_in = sum(n for _, big, n, _ in taken if big)
        tot = sum(n for _, _, n, _ in taken) or 1.0
        sb = big_in / tot
        p_batch_fail = 1 - (1 - 0.8 * sb) ** 5 if sb > 0 else 0.0
        # a big photo fails with near certainty, a small one when its batch holds a big one
        p_small = 1 - (1 - 0.8 * sb) ** 4 if sb > 0 else 0.0
        failed = 0.0
        deleted = 0.0
        for rc, big, n, sent in taken:
            pf = min(0.95, 0.8 + 0.2 * p_small) if big else p_small
            f = n * pf
            failed += f
            deleted += n - f
            if f > 0:
                if rc + 1 >= max_recv:
                    returns.setdefault(i + vis // 60, []).append((-1, big, f, sent))
                else:
                    returns.setdefault(i + vis // 60, []).append((rc + 1, big, f, sent))
        # those marked -1 land in the DLQ when they would have become visible again
        moved = 0.0
        nxt = returns.get(i + 1, [])
        keep = []
        for rc, big, n, sent in nxt:
            if rc == -1:
                moved += n
            else:
                keep.append((rc, big, n, sent))
        if nxt:
            returns[i + 1] = keep
        dlq += moved
        inflight = sum(n for lst in returns.values() for _, _, n, _ in lst) + take * 4 / 60
        oldest = [sent for _, _, n, sent in pending if n > 0.5] + [
            sent for lst in returns.values() for _, _, n, sent in lst if n > 0.5
        ]
        age = (i - min(oldest)) * 60 + rng.uniform(5, 40) if oldest else rng.uniform(1, 6)
        batches = take / 5
        rows.append(
            {
                "t": t,
                "sent": a,
                "recv": take,
                "deleted": deleted,
                "visible": sum(n for _, _, n, _ in pending),
                "inflight": inflight,
                "age": max(age, rng.uniform(1, 8)),
                "dlq": dlq,
                "batches": batches,
                "failed_batches": batches * p_batch_fail,
                "fail_frac": p_batch_fail,
                "big": sb,
            }
        )
        i += 1
        t += timedelta(minutes=1)

    alarm_t: datetime | None = None
    for r in rows:
        if r["t"] > onset and r["age"] > 600:
            alarm_t = r["t"]
            break
    assert alarm_t is not None
    now = alarm_t + timedelta(minutes=5 + rng.randint(22, 34))
    tks = ticks(start, now, fine_from)
    by_t = {r["t"]: r for r in rows}

    def agg(t: datetime, p: int, key: str, how: str) -> float:
        vals = [
            by_t[t + timedelta(minutes=k)][key] for k in range(p // 60) if t + timedelta(minutes=k) in by_t
        ]
        if not vals:
            return 0.0
        return sum(vals) if how == "sum" else (max(vals) if how == "max" else sum(vals) / len(vals))

    qd = {"QueueName": qname}
    dd = {"QueueName": dlqname}
    first_dlq: datetime | None = None
    age_pts: list[tuple[datetime, float]] = []
    dlq_pts: list[tuple[datetime, float]] = []
    err_pts: list[tuple[datetime, float]] = []
    for t, p in tks:
        k = p // 60
        kit.metric("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", value=round(agg(t, p, "sent", "sum")))
        kit.metric(
            "AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", value=round(agg(t, p, "recv", "sum"))
        )
        kit.metric(
            "AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", value=round(agg(t, p, "deleted", "sum"))
        )
        kit.metric("AWS/SQS", "NumberOfEmptyReceives", qd, t, "Count", value=float(rng.randint(40, 70) * k))
        v = round(agg(t, p, "visible", "avg"))
        kit.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", stats=(k, v * k, v, v))
        nv = round(agg(t, p, "inflight", "avg"))
        kit.metric(
            "AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, t, "Count", stats=(k, nv * k, nv, nv)
        )
        age = round(agg(t, p, "age", "max"))
        kit.metric(
            "AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", stats=(k, age * k, age * 0.8, age)
        )
        kit.metric(
            "AWS/SQS",
            "SentMessageSize",
            qd,
            t,
            "Bytes",
            stats=(
                max(1, round(agg(t, p, "sent", "sum"))),
                round(agg(t, p, "sent", "sum")) * 1210.0,
                1180.0,
                1262.0,
            ),
        )
        dv = round(agg(t, p, "dlq", "max"))
        kit.metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, t, "Count", stats=(k, dv * k, dv, dv))
        if dv > 0:
            first_dlq = first_dlq or t
            dage = (t - first_dlq).total_seconds() + 600.0
        else:
            dage = 0.0
        kit.metric(
            "AWS/SQS", "ApproximateAgeOfOldestMessage", dd, t, "Seconds", stats=(k, dage * k, dage, dage)
        )
        kit.metric("AWS/SQS", "NumberOfMessagesSent", dd, t, "Count", value=0.0)
        kit.metric("AWS/SQS", "NumberOfMessagesReceived", dd, t, "Count", value=0.0)
        kit.metric("AWS/SQS", "NumberOfEmptyReceives", dd, t, "Count", value=0.0)
        if p == 60:
            age_pts.append((t, float(age)))
            dlq_pts.append((t, float(dv)))
        fd = {"FunctionName": fn_name}
        nbat = agg(t, p, "batches", "sum")
        fb = agg(t, p, "failed_batches", "sum")
        kit.metric("AWS/Lambda", "Invocations", fd, t, "Count", value=round(nbat))
        kit.metric("AWS/Lambda", "Errors", fd, t, "Count", value=round(fb))
        kit.metric("AWS/Lambda", "Throttles", fd, t, "Count", value=0.0)
        dur_ok, dur_bad = kit.jitter(2650, 0.06), kit.jitter(4300, 0.1)
        nb = max(1.0, float(round(nbat)))
        dsum = (nb - fb) * dur_ok + fb * dur_bad
        kit.metric(
            "AWS/Lambda",
            "Duration",
            fd,
            t,
            "Milliseconds",
            stats=(nb, dsum, 610.0, (7900.0 if fb > 0.5 else kit.jitter(4800, 0.1))),
        )
        conc = max(1.0, nbat / k * (dsum / nb) / 60000 * 1.25)
        kit.metric(
            "AWS/Lambda",
            "ConcurrentExecutions",
            fd,
            t,
            "Count",
            stats=(k, conc * k, max(1.0, conc * 0.6), conc * 1.2),
        )
        if p == 60:
            err_pts.append((t, float(round(fb))))
        idd = {"FunctionName": idx_name}
        ib = max(1.0, round(agg(t, p, "deleted", "sum") / 20 + k * 3))
        kit.metric("AWS/Lambda", "Invocations", idd, t, "Count", value=ib)
        kit.metric("AWS/Lambda", "Errors", idd, t, "Count", value=0.0)
        kit.metric(
            "AWS/Lambda",
            "Duration",
            idd,
            t,
            "Milliseconds",
            stats=(ib, ib * kit.jitter(410, 0.08), 120.0, kit.jitter(1900, 0.2)),
        )
        wr = agg(t, p, "deleted", "sum") / 5 * 4.0
        if wr > 0:
            kit.metric(
                "AWS/DynamoDB",
                "ConsumedWriteCapacityUnits",
                {"TableName": "vehicle-media"},
                t,
                "Count",
                stats=(wr, wr * 2.0, 1.0, 3.0),
            )
            kit.metric(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {"TableName": "vehicle-media", "Operation": "UpdateItem"},
                t,
                "Milliseconds",
                stats=(wr, wr * kit.jitter(6.2, 0.05), 2.8, kit.jitter(34, 0.3)),
            )
    # daily S3 storage metrics (published once a day)
    for d in range(2, 0, -1):
        ts = (now - timedelta(days=d)).replace(hour=0, minute=0, second=0, microsecond=0)
        for b_, size, objs in ((up_bucket, 3.1e12, 9.4e6), (media_bucket, 1.21e13, 4.1e7)):
            kit.metric(
                "AWS/S3",
                "BucketSizeBytes",
                {"BucketName": b_, "StorageType": "StandardStorage"},
                ts,
                "Bytes",
                value=size * (1 + 0.002 * (3 - d)),
            )
            kit.metric(
                "AWS/S3",
                "NumberOfObjects",
                {"BucketName": b_, "StorageType": "AllStorageTypes"},
                ts,
                "Count",
                value=round(objs * (1 + 0.002 * (3 - d))),
            )

    # ---- alarms ---------------------------------------------------------------------------------
    age_alarm = kit.alarm(
        "vehicle-photo-ingest-oldest-message-age",
        "Photos waiting more than 10 minutes to be resized. Runbook: https://wiki.autotrove.internal/media/photo-pipeline",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        60,
        5,
        5,
        600,
        "GreaterThanThreshold",
        age_pts,
        now,
        [topic_arn],
    )
    kit.alarm(
        "vehicle-photo-ingest-dlq-not-empty",
        "Messages in the photo ingest DLQ",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dd,
        "Maximum",
        300,
        1,
        1,
        0,
        "GreaterThanThreshold",
        [(t, float(round(agg(t, 300, "dlq", "max")))) for t, _ in dlq_pts if t.minute % 5 == 0],
        now,
        [topic_arn],
    )
    kit.alarm(
        "listing-search-indexer-errors",
        "Search indexer errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": idx_name},
        "Sum",
        300,
        2,
        2,
        5,
        "GreaterThanThreshold",
        [(t, 0.0) for t, _ in age_pts if t.minute % 5 == 0],
        now,
        [topic_arn],
    )
    kit.alarm(
        "vehicle-media-write-throttles",
        "vehicle-media throttled writes",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        {"TableName": "vehicle-media"},
        "Sum",
        60,
        5,
        3,
        1,
        "GreaterThanOrEqualToThreshold",
        [(t, 0.0) for t, _ in age_pts],
        now,
        [topic_arn],
        treat_missing="notBreaching",
    )
    if age_alarm["StateValue"] != "ALARM":
        raise AssertionError("the age alarm should be in ALARM at now")

    # ---- logs -----------------------------------------------------------------------------------
    grp = f"/aws/lambda/{fn_name}"
    dealers = [str(rng.randint(1000, 9999)) for _ in range(40)]
    big_dealers = dealers[:9]
    streams = [lambda_stream(kit, start) for _ in range(5)]
    runtime_arn = fn["RuntimeVersionConfig"]["RuntimeVersionArn"]

    def photo_key(big: bool) -> tuple[str, str, float]:
        dealer = kit.pick(big_dealers if big else dealers)
        vrm = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(7))
        if big:
            name = f"IMG_{rng.randint(1000, 9999)}.jpg"
            dims = kit.pick(["8064x6048", "8064x6048", "6048x8064", "8000x6000"])
            size = rng.uniform(11.5, 19.8)
        else:
            name = kit.pick(
                [
                    f"IMG_{rng.randint(1000, 9999)}.jpg",
                    f"DSC{rng.randint(1000, 9999)}.JPG",
                    f"{kit.uuid()}.jpg",
                ]
            )
            dims = kit.pick(["4032x3024", "3024x4032", "4000x3000", "2048x1536", "1920x1440"])
            size = rng.uniform(1.2, 4.8)
        return f"dealer/{dealer}/stock/{vrm}/{name}", dims, size

    for r in rows:
        t = r["t"]
        if t >= now:
            break
        fine = t >= fine_from
        if not fine and t.minute % 5:
            continue
        n = 2 if fine else 1
        for j in range(n):
            st = streams[(j + t.minute) % len(streams)]
            at = t + timedelta(seconds=rng.uniform(0, 59))
            fail = rng.random() < r["fail_frac"]
            rid = kit.uuid()
            kit.log(grp, st, at, f"START RequestId: {rid} Version: $LATEST")
            cursor = at + timedelta(milliseconds=rng.randint(3, 12))
            kit.log(grp, st, cursor, f"{iso_ms(cursor)}\t{rid}\tINFO\treceived 5 records from {qname}")
            has_big = fail or (rng.random() < r["big"] * 1.5)
            if fail:
                k_ok = rng.randint(0, 2)
                for _ in range(k_ok):
                    key, dims, size = photo_key(False)
                    cursor += timedelta(milliseconds=rng.randint(350, 700))
                    kit.log(
                        grp,
                        st,
                        cursor,
                        f"{iso_ms(cursor)}\t{rid}\tINFO\tresized s3://{up_bucket}/{key} source={dims} ({size:.1f} MB) variants=4 ms={rng.randint(340, 690)}",
                    )
                key, dims, size = photo_key(True)
                cursor += timedelta(milliseconds=rng.randint(200, 600))
                kit.log(
                    grp,
                    st,
                    cursor,
                    f"{iso_ms(cursor)}\t{rid}\tINFO\tdecoding s3://{up_bucket}/{key} source={dims} ({size:.1f} MB)",
                )
                end = cursor + timedelta(milliseconds=rng.randint(1400, 3300))
                kit.log(
                    grp,
                    st,
                    end,
                    f"RequestId: {rid} Error: Runtime exited with error: signal: killed\nRuntime.ExitError",
                )
                kit.log(grp, st, end, f"END RequestId: {rid}")
                d = (end - at).total_seconds() * 1000
                kit.log(
                    grp,
                    st,
                    end,
                    f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: {mem} MB\t"
                    f"Max Memory Used: {mem} MB\tStatus: error\tError Type: Runtime.OutOfMemory",
                )
                nxt = end + timedelta(milliseconds=rng.randint(40, 900))
                kit.log(
                    grp,
                    st,
                    nxt,
                    f"INIT_START Runtime Version: nodejs:20.v33\tRuntime Version ARN: {runtime_arn}",
                )
                continue
            used = rng.randint(352, 618)
            for q in range(5):
                big = has_big and q == 4
                key, dims, size = photo_key(big)
                ms_ = rng.randint(1300, 2600) if big else rng.randint(330, 720)
                cursor += timedelta(milliseconds=ms_)
                kit.log(
                    grp,
                    st,
                    cursor,
                    f"{iso_ms(cursor)}\t{rid}\tINFO\tresized s3://{up_bucket}/{key} source={dims} ({size:.1f} MB) variants=4 ms={ms_}",
                )
                if big:
                    used = rng.randint(905, 1012)
            if rng.random() < 0.03:
                cursor += timedelta(milliseconds=20)
                kit.log(
                    grp,
                    st,
                    cursor,
                    f"{iso_ms(cursor)}\t{rid}\tWARN\tEXIF orientation tag missing for dealer/{kit.pick(dealers)}/stock upload, assuming landscape",
                )
            d = (cursor - at).total_seconds() * 1000 + rng.uniform(5, 40)
            end = at + timedelta(milliseconds=d)
            kit.log(grp, st, end, f"END RequestId: {rid}")
            kit.log(
                grp,
                st,
                end,
                f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: {mem} MB\tMax Memory Used: {used} MB\t",
            )
    igrp = f"/aws/lambda/{idx_name}"
    ist = lambda_stream(kit, start)
    for r in rows:
        t = r["t"]
        if t >= now or t.minute % 3:
            continue
        at = t + timedelta(seconds=rng.uniform(0, 59))
        rid = kit.uuid()
        if t >= onset + timedelta(minutes=7, seconds=30) and not ist.startswith("new"):
            ist = "new" + lambda_stream(kit, t)
            kit.log(
                igrp,
                ist[3:],
                at,
                "INIT_START Runtime Version: python:3.12.v29\tRuntime Version ARN: "
                + f"arn:aws:lambda:{kit.region}::runtime:{kit.hex(64)}",
            )
        stn = ist[3:] if ist.startswith("new") else ist
        kit.log(igrp, stn, at, f"START RequestId: {rid} Version: $LATEST")
        n_docs = rng.randint(3, 40)
        kit.log(
            igrp,
            stn,
            at + timedelta(milliseconds=200),
            f"[INFO]\t{iso_ms(at + timedelta(milliseconds=200))}\t{rid}\tbulk indexed {n_docs} listings into listings-v7 errors=False took={rng.randint(40, 260)}ms",
        )
        dd_ms = rng.uniform(220, 700)
        end = at + timedelta(milliseconds=dd_ms)
        kit.log(igrp, stn, end, f"END RequestId: {rid}")
        kit.log(
            igrp,
            stn,
            end,
            f"REPORT RequestId: {rid}\tDuration: {dd_ms:.2f} ms\tBilled Duration: {int(dd_ms) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: {rng.randint(96, 121)} MB\t",
        )

    # ---- CloudTrail -----------------------------------------------------------------------------
    sso_media = kit.sso_identity(
        "MediaEngineer", kit.hex(16), "dana.kowalczyk@autotrove.com", onset - timedelta(hours=1)
    )
    sso_ro = kit.sso_identity("ReadOnly", kit.hex(16), "li.chen@autotrove.com", start + timedelta(minutes=20))
    # harmless: long polling switched on for the photo queue (the Lambda poller ignores it)
    kit.ct(
        lp_at - timedelta(seconds=50),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        sso_media,
        {"queueUrl": q_url, "attributeNames": ["All"]},
        None,
        True,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    kit.ct(
        lp_at,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        sso_media,
        {"queueUrl": q_url, "attributes": {"ReceiveMessageWaitTimeSeconds": "20"}},
        None,
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )
    # harmless: search indexer deploy just after the onset
    dep_at = onset + timedelta(minutes=7)
    oidc_assume(
        kit, dep_at - timedelta(minutes=1, seconds=10), "gha-lambda-deploy", "autotrove/listing-search"
    )
    dwho = kit.role_identity(
        "gha-lambda-deploy", "GitHubActions", created=dep_at - timedelta(minutes=1, seconds=10)
    )
    dip = github_ip(kit)
    kit.ct(
        dep_at,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        dwho,
        {
            "functionName": idx_name,
            "s3Bucket": "autotrove-artifacts-us-west-2",
            "s3Key": f"listing-search/{kit.hex(40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": idx_name,
            "functionArn": kit.arn("lambda", f"function:{idx_name}"),
            "runtime": "python3.12",
            "role": idx_role["Arn"],
            "handler": "indexer.handler",
            "codeSize": rng.randint(2_000_000, 6_000_000),
            "timeout": 120,
            "memorySize": 512,
            "lastModified": dep_at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
        False,
        dip,
        UA_CLI.format(cmd="lambda.update-function-code"),
    )
    kit.ct(
        dep_at + timedelta(seconds=6),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        dwho,
        {"functionName": idx_name},
        None,
        True,
        dip,
        UA_CLI.format(cmd="lambda.wait"),
    )
    # harmless: media team adds a lifecycle rule for old originals on the uploads bucket (morning)
    lc_at = onset - timedelta(minutes=rng.randint(24, 29))
    kit.ct(
        lc_at,
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        sso_media,
        {
            "bucketName": up_bucket,
            "Host": f"{up_bucket}.s3.{kit.region}.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/",
                "Rule": [
                    {
                        "ID": "originals-to-ia-after-30d",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "dealer/"},
                        "Transition": {"Days": "30", "StorageClass": "STANDARD_IA"},
                    }
                ],
            },
        },
        None,
        False,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
        resources=[{"type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{up_bucket}", "accountId": acct}],
        extra={
            "additionalEventData": {
                "SignatureVersion": "SigV4",
                "AuthenticationMethod": "AuthHeader",
                "x-amz-id-2": kit.upper(
                    60, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
                ),
            }
        },
    )
    # routine
    t = start + timedelta(minutes=rng.randint(5, 25))
    dealer_sync = kit.role_identity("dealer-feed-sync", "dealer-feed-sync", created=start)
    while t < now:
        c = rng.random()
        if c < 0.25:
            kit.ct(
                t,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                sso_ro,
                {"queueUrl": kit.pick([q_url, dlq_url]), "attributeNames": ["All"]},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.45:
            kit.ct(
                t,
                "monitoring.amazonaws.com",
                "GetMetricData",
                sso_ro,
                {
                    "startTime": iso(t - timedelta(hours=3)),
                    "endTime": iso(t),
                    "scanBy": "TimestampDescending",
                },
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        elif c < 0.65:
            kit.ct(
                t,
                "sqs.amazonaws.com",
                "ListQueues",
                dealer_sync,
                {"queueNamePrefix": "dealer-"},
                None,
                True,
                "10.20.44." + str(rng.randint(2, 250)),
                UA_BOTO,
            )
        elif c < 0.8:
            kit.ct(
                t,
                "lambda.amazonaws.com",
                "ListEventSourceMappings20150331",
                sso_ro,
                {"functionName": fn_name},
                None,
                True,
                office_ip(kit),
                UA_CONSOLE,
                console=True,
            )
        else:
            kit.ct(
                t,
                "logs.amazonaws.com",
                "CreateLogStream",
                kit.role_identity("vehicle-photo-resizer", fn_name, created=t - timedelta(minutes=3)),
                {"logGroupName": grp, "logStreamName": lambda_stream(kit, t)},
                None,
                False,
                "34.223.12." + str(rng.randint(2, 250)),
                "awslambda-worker/1.0 rusoto/0.48.0 rust/1.75.0 linux",
            )
        t += timedelta(minutes=rng.randint(6, 19), seconds=rng.randint(0, 59))
    kit.ct(
        now - timedelta(minutes=rng.randint(2, 6)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        sso_media,
        {"queueUrl": dlq_url, "attributeNames": ["All"]},
        None,
        True,
        office_ip(kit),
        UA_CONSOLE,
        console=True,
    )

    manifest: Json = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": acct,
        "region": kit.region,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": None, "alarm_event": kit.alarm_event(age_alarm)},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": fn_name,
                "category": "limit",
                "failure_mode": "lambda-memory-ceiling-oom",
            },
            "also_accept": [fn["FunctionArn"]],
            "actions": ["scale", "reconfigure"],
            "chain": [
                "Dealers' uploads to autotrove-dealer-uploads-prod start including full-resolution (~48 MP) photos",
                "vehicle-photo-resizer (1024 MB) is killed with Runtime.OutOfMemory on batches holding one",
                "the whole 5-message batch returns to vehicle-photo-ingest after the 360 s visibility timeout and retries",
                "after 3 receives messages move to vehicle-photo-ingest-dlq; ApproximateAgeOfOldestMessage passes 600 s",
            ],
        },
    }
    return kit.bundle(manifest, now)
