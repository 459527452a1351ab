"""A Terraform module upgrade resets the transcode queue's visibility timeout to 30 s: every job is delivered
three times, the transcoder runs out of reserved concurrency and the DLQ fills with jobs that did finish."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzh as kit

NAME = "transcode-dlq-fills-while-videos-publish"
TITLE = "video-transcode DLQ alarm, but the videos seem to come out fine; transcoder throttling too"
SUMMARY = (
    "A Terraform apply set the video-transcode queue's VisibilityTimeout to 30 s, shorter than a transcode, so "
    "jobs are redelivered, run two or three times, throttle the transcoder and land in the DLQ."
)


def build(seed: int) -> Bundle:
    a = kit.new_account(seed, NAME)
    rng = a.rng
    p = kit.pipeline(a, visibility=30)
    kit.noise(a, p)
    onset = a.onset
    base = rng.uniform(7, 12)
    dur_s = rng.uniform(120, 170)
    reserved = 40

    def uploads(t: datetime) -> float:
        return max(1.0, base * (1 + 0.2 * math.sin(t.timestamp() / 3600)) * rng.uniform(0.8, 1.2))

    dlq = 0.0
    backlog = 0.0

    def model(t: datetime) -> kit.Minute:
        nonlocal dlq, backlog
        u = uploads(t)
        if t < onset:
            inflight = u * dur_s / 60
            return kit.Minute(
                started=u,
                succeeded=u * rng.uniform(0.95, 1.05),
                failed=0,
                exec_ms=(dur_s + 25) * 1000,
                sent=u,
                received=u,
                deleted=u,
                visible=rng.choice([0, 0, 0, 1]),
                inflight=inflight,
                oldest=rng.uniform(1, 9),
                invocations=u,
                errors=1 if rng.random() < 0.02 else 0,
                throttles=0,
                duration_ms=dur_s * 1000 * rng.uniform(0.9, 1.1),
                duration_max_ms=dur_s * 1000 * rng.uniform(1.8, 2.3),
                concurrency=min(reserved, inflight * rng.uniform(0.9, 1.1)),
                dlq_visible=None,
            )
        k = (t - onset).total_seconds() / 60
        ramp = min(1.0, k / 4)
        demand = u * (1 + 2 * ramp)
        capacity = reserved * 60 / dur_s
        received = min(demand + backlog, capacity * rng.uniform(0.97, 1.0))
        backlog = max(0.0, backlog + demand - received)
        if k >= 3:
            dlq += u * rng.uniform(0.35, 0.55)
        return kit.Minute(
            started=u,
            succeeded=u * rng.uniform(0.55, 0.8) if k > 5 else u,
            failed=0,
            exec_ms=(dur_s + 25 + backlog * 3) * 1000,
            sent=u,
            received=received,
            deleted=received * rng.uniform(0.45, 0.6),
            visible=backlog,
            inflight=reserved * rng.uniform(0.97, 1.0),
            oldest=min(1800, 20 + k * rng.uniform(6, 9)) if backlog > 1 else rng.uniform(20, 60),
            invocations=received,
            errors=1 if rng.random() < 0.05 else 0,
            throttles=max(0.0, demand - capacity) * rng.uniform(1.5, 3) if ramp >= 0.5 else 0,
            duration_ms=dur_s * 1000 * rng.uniform(0.9, 1.1),
            duration_max_ms=dur_s * 1000 * rng.uniform(1.8, 2.3),
            concurrency=reserved,
            dlq_visible=dlq if k >= 3 else None,
        )

    kit.pipeline_metrics(a, p, model)
    cf_dims = kit.cloudfront(
        a, p, lambda t: 6.0 if a.start + timedelta(minutes=70) <= t < a.start + timedelta(minutes=78) else 0.0
    )

    # transcoder logs: a sample of invocations; after the change the same jobs come round again
    recent: list[tuple[str, str, int]] = []

    def body(t0: datetime, rid: str) -> list[str]:
        ts = kit.iso(t0).replace("Z", f".{rng.randint(100, 999)}Z")
        after = t0 >= onset + timedelta(minutes=1)
        if after and recent and rng.random() < 0.65:
            job, key, count = rng.choice(recent[-12:])
            count = min(3, count + 1)
        else:
            job, key, count = (
                a.uid(),
                f"incoming/{a.hexid(8)}/{rng.choice(['master', 'upload', 'raw'])}.mp4",
                1,
            )
        recent.append((job, key, count))
        size = rng.uniform(180, 1400)
        lines = [
            f"[INFO]\t{ts}\t{rid}\tjob={job} receive_count={count} source=s3://{p.uploads}/{key} size_mb={size:.1f}",
            f"[INFO]\t{ts}\t{rid}\tffmpeg: ladder=1080p,720p,480p,360p codec=h264 preset=medium",
            f"[INFO]\t{ts}\t{rid}\tuploaded 4 renditions to s3://{p.renditions}/{job}/",
        ]
        if count > 1:
            lines.append(
                f"[WARNING]\t{ts}\t{rid}\tSendTaskSuccess failed for job={job}: An error occurred (TaskTimedOut) "
                "when calling the SendTaskSuccess operation: Task Timed Out: 'Provided task does not exist anymore'"
            )
        else:
            lines.append(f"[INFO]\t{ts}\t{rid}\tSendTaskSuccess ok job={job}")
        return lines

    kit.lambda_reports(
        a,
        p.transcoder,
        3008,
        3,
        lambda t: dur_s * 1000 * rng.uniform(0.7, 1.4),
        lambda t: rng.randint(1400, 2100),
        body,
    )
    kit.lambda_reports(
        a, p.thumbs, 1024, 7, lambda t: rng.uniform(3000, 8000), lambda t: rng.randint(300, 420)
    )

    # the change: a Terraform apply moving the queues onto the shared sqs module
    tf = a.role_identity("terraform-ci", "gha-media-infra-apply")
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.44.0"
    )
    change_t = onset - timedelta(minutes=rng.randint(2, 5), seconds=rng.randint(0, 59))
    a.trail(
        change_t - timedelta(seconds=9),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        tf,
        {"queueUrl": p.queue_url, "attributeNames": ["All"]},
        read_only=True,
        agent=tf_agent,
    )
    a.trail(
        change_t - timedelta(seconds=4),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        tf,
        {"queueUrl": p.dlq_url, "attributes": {"MessageRetentionPeriod": "1209600"}},
        agent=tf_agent,
    )
    culprit = a.trail(
        change_t,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        tf,
        {
            "queueUrl": p.queue_url,
            "attributes": {
                "VisibilityTimeout": "30",
                "RedrivePolicy": f'{{"deadLetterTargetArn":"{p.dlq_arn}","maxReceiveCount":3}}',
            },
        },
        agent=tf_agent,
    )
    a.trail(
        change_t + timedelta(seconds=2),
        "sqs.amazonaws.com",
        "TagQueue",
        tf,
        {"queueUrl": p.queue_url, "tags": {"module": "shared-sqs/v2"}},
        agent=tf_agent,
    )
    for r in a.resources:
        if r["type"] == "Queue" and r["item"]["QueueUrl"] == p.queue_url:
            r["item"]["Attributes"]["LastModifiedTimestamp"] = str(int(change_t.timestamp()))
            r["item"]["Attributes"]["ApproximateNumberOfMessages"] = str(int(backlog))
            r["item"]["Attributes"]["ApproximateNumberOfMessagesNotVisible"] = str(reserved)
            r["item"]["Tags"]["module"] = "shared-sqs/v2"
        if r["type"] == "Queue" and r["item"]["QueueUrl"] == p.dlq_url:
            r["item"]["Attributes"]["ApproximateNumberOfMessages"] = str(int(dlq))

    # alarms
    dlq_alarm = a.alarm(
        "video-transcode-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": p.dlq},
        "Maximum",
        0,
        period=300,
        missing="notBreaching",
        description="Jobs are landing in the transcode DLQ",
    )
    thr = a.alarm(
        "video-transcoder-throttles",
        "AWS/Lambda",
        "Throttles",
        {"FunctionName": p.transcoder},
        "Sum",
        25,
        period=300,
        missing="notBreaching",
    )
    a.alarm(
        "video-transcode-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": p.queue},
        "Maximum",
        1800,
        period=300,
        evals=2,
    )
    a.alarm(
        "video-ingest-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": p.sm_arn},
        "Sum",
        0,
        period=300,
        missing="notBreaching",
    )
    a.alarm(
        "thumbnail-generator-errors", "AWS/Lambda", "Errors", {"FunctionName": p.thumbs}, "Sum", 5, period=300
    )
    cf = a.alarm(
        "video-cdn-4xx-rate",
        "AWS/CloudFront",
        "4xxErrorRate",
        cf_dims,
        "Average",
        5,
        period=300,
        unit="Percent",
    )
    t_cf = a.start + timedelta(minutes=75)
    a.transition(
        cf, t_cf, "OK", "ALARM", "Threshold Crossed: 1 datapoint [6.9 (x)] was greater than 5.0.", {}
    )
    a.transition(
        cf,
        t_cf + timedelta(minutes=10),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [1.2] was not greater than 5.0.",
        {},
    )
    a.set_state(
        cf,
        t_cf + timedelta(minutes=10),
        "OK",
        "Threshold Crossed: 1 datapoint [1.2] was not greater than 5.0.",
    )

    fire = onset + timedelta(minutes=rng.randint(8, 10))
    reason = f"Threshold Crossed: 1 out of the last 1 datapoints [{rng.randint(3, 9)}.0 ({fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition)."
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": kit.iso(fire),
        "statistic": "Maximum",
        "period": 300,
        "recentDatapoints": [4.0],
        "threshold": 0.0,
        "evaluatedDatapoints": [
            {"timestamp": kit.iso(fire - timedelta(minutes=5)), "sampleCount": 5.0, "value": 4.0}
        ],
    }
    a.transition(dlq_alarm, fire, "OK", "ALARM", reason, data)
    a.set_state(dlq_alarm, fire, "ALARM", reason)
    t_thr = onset + timedelta(minutes=rng.randint(11, 16))
    reason2 = (
        "Threshold Crossed: 1 out of the last 1 datapoints [88.0] was greater than the threshold (25.0)."
    )
    a.transition(thr, t_thr, "OK", "ALARM", reason2, {"version": "1.0", "statistic": "Sum", "period": 300})
    a.set_state(thr, t_thr, "ALARM", reason2)

    question = (
        f"DLQ alarm for video-transcode went off around {kit.local_clock(fire, 'America/New_York')} and the "
        "transcoder is throttling, but the videos I spot-checked published fine. Is ingest broken or is the alarm junk?"
    )
    return a.bundle(
        TITLE,
        {
            "question": question,
            "alarm_event": a.alarm_event(dlq_alarm, fire, reason, data),
            "timezone": "America/New_York",
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": p.queue_url,
                "category": "change",
                "failure_mode": "sqs-visibility-timeout-shorter-than-processing",
                "event_id": culprit,
            },
            "also_accept": [p.queue, p.queue_arn],
            "actions": ["rollback", "reconfigure"],
            "chain": [p.queue, p.transcoder, p.dlq, p.state_machine],
        },
    )
