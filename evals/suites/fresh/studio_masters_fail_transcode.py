"""A partner starts delivering multi-gigabyte ProRes masters; the transcoder's 2 GB /tmp fills on each of them
and the job fails with ENOSPC, reported to Step Functions as a task failure (Lambda itself reports success)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzh as kit

NAME = "studio-masters-fail-transcode"
TITLE = "Partner uploads stuck at 'processing failed'; video-ingest failed-executions alarm"
SUMMARY = (
    "Large ProRes masters from a new studio partner exceed the transcoder Lambda's 2048 MB ephemeral storage; "
    "ffmpeg dies with ENOSPC and the Transcode step fails, while small uploads still succeed."
)


def build(seed: int) -> Bundle:
    a = kit.new_account(seed, NAME)
    rng = a.rng
    onset = a.onset
    deploy_t = a.start + timedelta(minutes=rng.randint(15, 40))
    p = kit.pipeline(a, ephemeral=2048, transcoder_modified=deploy_t)
    kit.noise(a, p)
    base = rng.uniform(6, 10)
    dur_s = rng.uniform(90, 140)
    big_share = rng.uniform(0.3, 0.45)
    partner = rng.choice(["northlight-studios", "harbourfilm", "bluefinch-media", "kestrel-pictures"])

    def uploads(t: datetime) -> float:
        return max(1.0, base * (1 + 0.15 * math.sin(t.timestamp() / 2700)) * rng.uniform(0.8, 1.2))

    fails_total = 0

    def model(t: datetime) -> kit.Minute:
        nonlocal fails_total
        u = uploads(t)
        after = t >= onset + timedelta(minutes=2)
        big = u * big_share if after else 0.0
        extra = big * 0.6 if after else 0.0  # the partner's batch adds to the usual flow
        n = u + extra
        fails = (big + extra) * rng.uniform(0.85, 1.0) if after else (1 if rng.random() < 0.01 else 0)
        fails_total += round(fails)
        inflight = n * dur_s / 60
        return kit.Minute(
            started=n,
            succeeded=max(0.0, n - fails),
            failed=fails,
            exec_ms=(dur_s + 30) * 1000,
            sent=n,
            received=n,
            deleted=n,
            visible=rng.choice([0, 0, 1]),
            inflight=inflight,
            oldest=rng.uniform(1, 9),
            invocations=n,
            errors=1 if rng.random() < 0.02 else 0,
            throttles=0,
            duration_ms=dur_s * 1000 * rng.uniform(0.9, 1.1),
            duration_max_ms=dur_s * 1000 * rng.uniform(1.8, 2.3),
            concurrency=min(40, inflight * rng.uniform(0.9, 1.1)),
        )

    kit.pipeline_metrics(a, p, model)
    cf_dims = kit.cloudfront(a, p)

    def body(t0: datetime, rid: str) -> list[str]:
        ts = kit.iso(t0).replace("Z", f".{rng.randint(100, 999)}Z")
        job = a.uid()
        after = t0 >= onset + timedelta(minutes=2)
        if after and rng.random() < big_share + 0.2:
            key = f"partners/{partner}/{a.hexid(6)}/{rng.choice(['EP', 'FEAT', 'TRL'])}{rng.randint(100, 999)}_master.mov"
            size = rng.uniform(2300, 7800)
            tmp = f"/tmp/{job}/source.mov"
            return [
                f"[INFO]\t{ts}\t{rid}\tjob={job} receive_count=1 source=s3://{p.uploads}/{key} size_mb={size:.1f}",
                f"[INFO]\t{ts}\t{rid}\tdownloading source to {tmp}",
                f"[ERROR]\t{ts}\t{rid}\ttranscode failed job={job}\nTraceback (most recent call last):\n"
                '  File "/var/task/handler.py", line 88, in main\n    fetch_source(bucket, key, local)\n'
                '  File "/var/task/media/io.py", line 41, in fetch_source\n    s3.download_file(bucket, key, dest)\n'
                '  File "/var/lang/lib/python3.12/site-packages/boto3/s3/transfer.py", line 372, in download_file\n'
                "    future.result()\n"
                f"OSError: [Errno 28] No space left on device: '{tmp}.{a.hexid(8)}'",
                f"[INFO]\t{ts}\t{rid}\tSendTaskFailure job={job} error=TranscodeFailed",
            ]
        key = f"incoming/{a.hexid(8)}/{rng.choice(['upload', 'clip', 'raw'])}.mp4"
        size = rng.uniform(60, 1100)
        return [
            f"[INFO]\t{ts}\t{rid}\tjob={job} receive_count=1 source=s3://{p.uploads}/{key} size_mb={size:.1f}",
            f"[INFO]\t{ts}\t{rid}\tffmpeg: ladder=1080p,720p,480p,360p codec=h264 preset=medium",
            f"[INFO]\t{ts}\t{rid}\tuploaded 4 renditions to s3://{p.renditions}/{job}/",
            f"[INFO]\t{ts}\t{rid}\tSendTaskSuccess ok job={job}",
        ]

    kit.lambda_reports(
        a,
        p.transcoder,
        3008,
        3,
        lambda t: dur_s * 1000 * rng.uniform(0.5, 1.3),
        lambda t: rng.randint(900, 2100),
        body,
    )

    def probe_body(t0: datetime, rid: str) -> list[str]:
        ts = kit.iso(t0).replace("Z", f".{rng.randint(100, 999)}Z")
        if t0 >= onset + timedelta(minutes=1) and rng.random() < 0.4:
            return [
                f"[INFO]\t{ts}\t{rid}\tprobe ok container=mov video=prores (HQ) 3840x2160 24000/1001 fps "
                f"audio=pcm_s24le duration={rng.randint(600, 3200)}s"
            ]
        return [
            f"[INFO]\t{ts}\t{rid}\tprobe ok container=mp4 video=h264 1920x1080 30 fps audio=aac "
            f"duration={rng.randint(20, 900)}s"
        ]

    kit.lambda_reports(
        a, p.probe, 512, 5, lambda t: rng.uniform(900, 2600), lambda t: rng.randint(110, 160), probe_body
    )

    # an ordinary transcoder deploy early in the window (adds an HEVC rung behind a flag; not enabled)
    deploy = a.role_identity("github-actions-deploy", "GitHubActions")
    agent = "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.12.0 api/lambda#3.540.0"
    a.trail(
        deploy_t,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        deploy,
        {
            "functionName": p.transcoder,
            "s3Bucket": f"{a.org}-lambda-artifacts",
            "s3Key": f"transcoder/{a.hexid(7)}.zip",
        },
        {
            "functionName": p.transcoder,
            "functionArn": a.arn("lambda", f"function:{p.transcoder}"),
            "runtime": "python3.12",
            "codeSha256": a.hexid(43) + "=",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent=agent,
    )
    a.trail(
        deploy_t + timedelta(seconds=30),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        deploy,
        {"functionName": p.transcoder, "environment": {"variables": "HIDDEN_DUE_TO_SECURITY_REASONS"}},
        {
            "functionName": p.transcoder,
            "functionArn": a.arn("lambda", f"function:{p.transcoder}"),
            "memorySize": 3008,
            "timeout": 900,
            "ephemeralStorage": {"size": 2048},
            "lastUpdateStatus": "InProgress",
        },
        agent=agent,
    )
    for r in a.resources:
        if r["type"] == "FunctionConfiguration" and r["item"]["FunctionName"] == p.transcoder:
            r["item"]["Environment"]["Variables"]["ENABLE_HEVC"] = "false"

    # recent executions, as ListExecutions would show them
    t = onset - timedelta(minutes=20)
    while t < a.now - timedelta(minutes=3):
        fail = t >= onset + timedelta(minutes=2) and rng.random() < 0.45
        name = a.uid()
        stop = t + timedelta(seconds=dur_s * rng.uniform(0.4, 1.2) + 20)
        item: dict[str, Any] = {
            "executionArn": a.arn("states", f"execution:{p.state_machine}:{name}"),
            "stateMachineArn": p.sm_arn,
            "name": name,
            "status": "FAILED" if fail else "SUCCEEDED",
            "startDate": kit.iso(t),
            "stopDate": kit.iso(stop),
        }
        if fail:
            item["error"] = "TranscodeFailed"
            item["cause"] = "[Errno 28] No space left on device"
        a.resource("stepfunctions", "DescribeExecutionOutput", item)
        t += timedelta(seconds=rng.randint(100, 260))

    failed_alarm = a.alarm(
        "video-ingest-executions-failed",
        "AWS/States",
        "ExecutionsFailed",
        {"StateMachineArn": p.sm_arn},
        "Sum",
        3,
        period=300,
        missing="notBreaching",
        description="More than 3 ingest executions failed in 5 minutes",
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
        "video-transcode-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": p.queue},
        "Maximum",
        1800,
        period=300,
        evals=2,
    )
    thumbs_alarm = a.alarm(
        "thumbnail-generator-errors", "AWS/Lambda", "Errors", {"FunctionName": p.thumbs}, "Sum", 2, period=300
    )
    a.alarm(
        "video-cdn-5xx-rate",
        "AWS/CloudFront",
        "5xxErrorRate",
        cf_dims,
        "Average",
        1,
        period=300,
        unit="Percent",
    )

    # the thumbnail alarm flapped once after its deploy (one cold-start timeout), then recovered
    t_th = onset - timedelta(minutes=rng.randint(10, 20))
    a.transition(
        thumbs_alarm,
        t_th,
        "OK",
        "ALARM",
        "Threshold Crossed: 1 out of the last 1 datapoints [3.0] was greater than the threshold (2.0).",
        {"version": "1.0", "statistic": "Sum", "period": 300},
    )
    ok = "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (2.0)."
    a.transition(thumbs_alarm, t_th + timedelta(minutes=5), "ALARM", "OK", ok, {"version": "1.0"})
    a.set_state(thumbs_alarm, t_th + timedelta(minutes=5), "OK", ok)

    fire = onset + timedelta(minutes=rng.randint(6, 9))
    value = float(rng.randint(9, 17))
    reason = (
        f"Threshold Crossed: 1 out of the last 1 datapoints [{value} ({fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] "
        "was greater than the threshold (3.0) (minimum 1 datapoint for OK -> ALARM transition)."
    )
    data: dict[str, Any] = {
        "version": "1.0",
        "queryDate": kit.iso(fire),
        "statistic": "Sum",
        "period": 300,
        "recentDatapoints": [value],
        "threshold": 3.0,
        "evaluatedDatapoints": [
            {"timestamp": kit.iso(fire - timedelta(minutes=5)), "sampleCount": 5.0, "value": value}
        ],
    }
    a.transition(failed_alarm, fire, "OK", "ALARM", reason, data)
    a.set_state(failed_alarm, fire, "ALARM", reason)

    zone = "Europe/London"
    question = (
        f"{partner} says everything they've uploaded since about {kit.local_clock(onset, zone)} shows 'processing "
        "failed' in the CMS. Our own test upload went through fine. Did today's transcoder deploy break something?"
    )
    return a.bundle(
        TITLE,
        {
            "question": question,
            "alarm_event": a.alarm_event(failed_alarm, fire, reason, data),
            "timezone": zone,
        },
        {
            "no_fault": False,
            "root_cause": {
                "resource": p.transcoder,
                "category": "limit",
                "failure_mode": "lambda-ephemeral-storage-exhausted",
            },
            "also_accept": [a.arn("lambda", f"function:{p.transcoder}")],
            "actions": ["reconfigure", "scale"],
            "chain": [p.transcoder, p.state_machine],
        },
    )
