"""No fault: the nightly partner feed drops a few hundred assets at once; the transcode queue's oldest-message
age crosses 15 minutes while the transcoder works through them at its reserved concurrency, as every night."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzh as kit

NAME = "nightly-partner-feed-queue-age-page"
TITLE = "Paged in the night: video-transcode oldest-message age alarm, is transcoding stuck?"
SUMMARY = (
    "The nightly partner-feed sync lands hundreds of assets at once; the queue backs up and drains at the "
    "transcoder's reserved concurrency with no errors, tripping the age alarm as on previous nights."
)


def build(seed: int) -> Bundle:
    a = kit.new_account(seed, NAME, onset_hour=0)
    rng = a.rng
    onset = a.onset
    p = kit.pipeline(a)
    kit.noise(a, p, innocent_deploy=False)
    dur_s = rng.uniform(110, 150)
    reserved = 40
    capacity = reserved * 60 / dur_s
    batch = int(capacity * rng.uniform(24, 34))
    base = rng.uniform(1.5, 3.5)
    arrived = 0.0
    processed = 0.0
    ages: dict[datetime, float] = {}

    def model(t: datetime) -> kit.Minute:
        nonlocal arrived, processed
        u = base * rng.uniform(0.6, 1.4)
        k = (t - onset).total_seconds() / 60
        feed = batch / 6 if 0 <= k < 6 else 0.0
        arrived += feed
        backlog = max(0.0, arrived - processed)
        work = min(backlog, capacity * rng.uniform(0.96, 1.0)) if backlog > 0 else 0.0
        processed += work
        left = max(0.0, arrived - processed)
        if left > 1:
            head = onset + timedelta(minutes=6 * processed / max(arrived, 1.0))
            oldest = (t - head).total_seconds()
        else:
            oldest = rng.uniform(1, 9)
        ages[t] = oldest
        n = u + work
        inflight = min(reserved, u * dur_s / 60 + (reserved if work > 0 else 0))
        return kit.Minute(
            started=u + feed,
            succeeded=n * rng.uniform(0.97, 1.0),
            failed=0,
            exec_ms=(dur_s + 25 + (oldest if left > 1 else 0)) * 1000,
            sent=u + feed,
            received=n,
            deleted=n,
            visible=left,
            inflight=inflight,
            oldest=oldest,
            invocations=n,
            errors=1 if rng.random() < 0.02 else 0,
            throttles=rng.choice([0, 0, 1, 2, 3]) if left > 1 else 0,
            duration_ms=dur_s * 1000 * rng.uniform(0.9, 1.1),
            duration_max_ms=dur_s * 1000 * rng.uniform(1.8, 2.3),
            concurrency=inflight,
        )

    kit.pipeline_metrics(a, p, model)
    kit.cloudfront(a, p)
    partner = rng.choice(["northlight-studios", "harbourfilm", "bluefinch-media", "kestrel-pictures"])

    def body(t0: datetime, rid: str) -> list[str]:
        ts = kit.iso(t0).replace("Z", f".{rng.randint(100, 999)}Z")
        job = a.uid()
        k = (t0 - onset).total_seconds() / 60
        key = (
            f"partners/{partner}/feed-{onset:%Y%m%d}/{a.hexid(10)}.mp4"
            if k >= 1 and ages.get(t0.replace(second=0, microsecond=0), 0) > 60
            else f"incoming/{a.hexid(8)}/upload.mp4"
        )
        return [
            f"[INFO]\t{ts}\t{rid}\tjob={job} receive_count=1 source=s3://{p.uploads}/{key} size_mb={rng.uniform(80, 900):.1f}",
            f"[INFO]\t{ts}\t{rid}\tffmpeg: ladder=1080p,720p,480p,360p codec=h264 preset=medium",
            f"[INFO]\t{ts}\t{rid}\tuploaded 4 renditions to s3://{p.renditions}/{job}/",
            f"[INFO]\t{ts}\t{rid}\tSendTaskSuccess ok job={job}",
        ]

    kit.lambda_reports(
        a,
        p.transcoder,
        3008,
        3,
        lambda t: dur_s * 1000 * rng.uniform(0.7, 1.3),
        lambda t: rng.randint(1300, 2100),
        body,
    )

    # the nightly partner-feed sync (an EventBridge schedule invokes it; logs only)
    group = "/aws/lambda/partner-feed-sync"
    a.resource(
        "logs",
        "LogGroup",
        {"logGroupName": group, "creationTime": kit.ms(a.start - timedelta(days=400)), "retentionInDays": 30},
    )
    a.resource(
        "lambda",
        "FunctionConfiguration",
        {
            "FunctionName": "partner-feed-sync",
            "FunctionArn": a.arn("lambda", "function:partner-feed-sync"),
            "Runtime": "python3.12",
            "Role": f"arn:aws:iam::{a.account_id}:role/service-role/partner-feed-sync-role",
            "Handler": "sync.main",
            "Timeout": 900,
            "MemorySize": 1024,
            "LastModified": (a.start - timedelta(days=rng.randint(30, 90))).strftime(
                "%Y-%m-%dT%H:%M:%S.000+0000"
            ),
            "State": "Active",
            "PackageType": "Zip",
            "Description": f"Nightly pull of the {partner} delivery manifest into the uploads bucket",
            "Environment": {"Variables": {"TARGET_BUCKET": p.uploads, "PARTNER": partner}},
        },
    )
    stream = f"{onset:%Y/%m/%d}/[$LATEST]{a.hexid(32)}"
    rid = a.uid()
    t0 = onset - timedelta(seconds=rng.randint(20, 50))
    a.log(group, stream, t0, f"START RequestId: {rid} Version: $LATEST")
    a.log(
        group,
        stream,
        t0 + timedelta(seconds=2),
        f"[INFO]\t{kit.iso(t0)}\t{rid}\tfetched manifest feed-{onset:%Y-%m-%d}.json from {partner}: {batch} new assets",
    )
    sync_ms = rng.uniform(330_000, 390_000)
    a.log(
        group,
        stream,
        t0 + timedelta(milliseconds=sync_ms - 500),
        f"[INFO]\t{kit.iso(t0)}\t{rid}\tcopied {batch} objects to s3://{p.uploads}/partners/{partner}/feed-{onset:%Y%m%d}/ (0 skipped, 0 failed)",
    )
    a.log(group, stream, t0 + timedelta(milliseconds=sync_ms), f"END RequestId: {rid}")
    a.log(
        group,
        stream,
        t0 + timedelta(milliseconds=sync_ms),
        f"REPORT RequestId: {rid}\tDuration: {sync_ms:.2f} ms\tBilled Duration: {int(sync_ms) + 1} ms\tMemory Size: 1024 MB\tMax Memory Used: 212 MB\t",
    )
    for m in range(-3, 2):
        d = {"FunctionName": "partner-feed-sync"}
        a.metric("AWS/Lambda", "Invocations", d, onset + timedelta(minutes=m), 1 if m == -1 else 0)

    # a nightly read-only inventory job
    inv = a.role_identity("cost-inventory-reader", "inventory-nightly")
    for i in range(6):
        a.trail(
            onset - timedelta(minutes=40 - i),
            rng.choice(["lambda.amazonaws.com", "sqs.amazonaws.com"]),
            rng.choice(["ListFunctions20150331", "ListQueues"]),
            inv,
            None,
            read_only=True,
            agent="Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.213 lang/python#3.12.2 exec-env/AWS_Lambda_python3.12",
        )

    # alarms
    age_alarm = a.alarm(
        "video-transcode-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": p.queue},
        "Maximum",
        900,
        period=300,
        description="Oldest transcode job waiting more than 15 minutes",
    )
    a.alarm(
        "video-transcode-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": p.dlq},
        "Maximum",
        0,
        period=300,
        missing="notBreaching",
    )
    a.alarm(
        "video-ingest-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": p.sm_arn},
        "Sum",
        3,
        period=300,
        missing="notBreaching",
    )
    a.alarm(
        "video-transcoder-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": p.transcoder},
        "Sum",
        5,
        period=300,
    )
    a.alarm(
        "video-transcoder-throttles",
        "AWS/Lambda",
        "Throttles",
        {"FunctionName": p.transcoder},
        "Sum",
        50,
        period=300,
        missing="notBreaching",
    )

    # earlier nights: the same alarm, the same hour, 20-35 minutes each
    for night in range(1, 8):
        if rng.random() < 0.15:
            continue
        t_in = onset - timedelta(days=night) + timedelta(minutes=rng.randint(14, 19))
        t_out = t_in + timedelta(minutes=rng.randint(20, 35))
        hi = rng.randint(1000, 1900)
        a.transition(
            age_alarm,
            t_in,
            "OK",
            "ALARM",
            f"Threshold Crossed: 1 out of the last 1 datapoints [{hi}.0] was greater than the threshold (900.0).",
            {"version": "1.0", "statistic": "Maximum", "period": 300},
        )
        a.transition(
            age_alarm,
            t_out,
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 1 datapoints [6.0] was not greater than the threshold (900.0).",
            {"version": "1.0", "statistic": "Maximum", "period": 300},
        )

    # tonight
    over = sorted(t for t, v in ages.items() if v > 900)
    first = over[0]
    fire = first.replace(minute=first.minute - first.minute % 5) + timedelta(
        minutes=5, seconds=rng.randint(20, 50)
    )
    peak = max(v for t, v in ages.items() if fire - timedelta(minutes=5) <= t < fire)
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{peak:.0f}.0 ({fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] "
        "was greater than the threshold (900.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": kit.iso(fire),
        "statistic": "Maximum",
        "period": 300,
        "recentDatapoints": [round(peak)],
        "threshold": 900.0,
        "evaluatedDatapoints": [
            {"timestamp": kit.iso(fire - timedelta(minutes=5)), "sampleCount": 5.0, "value": round(peak)}
        ],
    }
    a.transition(age_alarm, fire, "OK", "ALARM", reason, data)
    a.set_state(age_alarm, fire, "ALARM", reason)
    last = over[-1]
    clear = last.replace(minute=last.minute - last.minute % 5) + timedelta(
        minutes=10, seconds=rng.randint(20, 50)
    )
    if last < max(ages) and clear <= a.now:
        ok = "Threshold Crossed: 1 out of the last 1 datapoints [7.0] was not greater than the threshold (900.0)."
        a.transition(
            age_alarm, clear, "ALARM", "OK", ok, {"version": "1.0", "statistic": "Maximum", "period": 300}
        )
        a.set_state(age_alarm, clear, "OK", ok)

    zone = "Europe/Berlin"
    question = (
        f"got paged at {kit.local_clock(fire, zone)} for video-transcode-oldest-message. Is transcoding stuck? "
        "Do I need to do anything before morning?"
    )
    return a.bundle(
        TITLE,
        {"question": question, "alarm_event": a.alarm_event(age_alarm, fire, reason, data), "timezone": zone},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
