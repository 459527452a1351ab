"""Completed envelopes stop being sealed when the external RFC 3161 timestamp authority stops answering."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzp import Scene, clock, traffic

NAME = "docsign-seal-tsa-timeouts"
TITLE = "Envelopes stuck in 'Finalizing' and completed PDFs not arriving since early afternoon"
SUMMARY = (
    "The third-party RFC 3161 timestamp authority the seal worker calls stopped answering; every seal "
    "attempt retries into the Lambda timeout and the seal queue backs up."
)

TSA = "timestamp.digicert.com"


def build(seed: int) -> Bundle:
    sc = Scene(seed, NAME)
    r = sc.rng
    start = sc.day + timedelta(hours=14, minutes=r.randint(35, 70))
    onset = start + timedelta(hours=3, minutes=r.randint(6, 28), seconds=r.randint(0, 59))
    now = onset + timedelta(minutes=r.randint(44, 62))
    sc.base_resources()
    a = sc.account
    fail_share = r.uniform(0.82, 0.95)

    # innocent changes
    sc.deploy(onset - timedelta(minutes=r.randint(110, 150)), "docsign-seal-document")
    sc.deploy(onset - timedelta(minutes=r.randint(15, 25)), "docsign-webhook-dispatcher")
    eng = sc.sso(r.choice(sc.engineers))
    sc.ct(
        onset - timedelta(minutes=r.randint(30, 45)),
        "s3.amazonaws.com",
        "PutBucketLifecycle",
        eng,
        {
            "bucketName": sc.bucket,
            "Host": f"{sc.bucket}.s3.amazonaws.com",
            "lifecycle": "",
            "LifecycleConfiguration": {
                "Rule": [
                    {
                        "ID": "abort-incomplete-multipart",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "tenants/"},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3},
                    },
                    {
                        "ID": "drafts-to-ia",
                        "Status": "Enabled",
                        "Filter": {"Prefix": "drafts/"},
                        "Transition": {"Days": 30, "StorageClass": "STANDARD_IA"},
                    },
                ]
            },
        },
        None,
        agent="[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488]",
    )
    sc.ct(
        onset - timedelta(minutes=r.randint(70, 95)),
        "kms.amazonaws.com",
        "EnableKeyRotation",
        eng,
        {"keyId": sc.key_id, "rotationPeriodInDays": 365},
        None,
        agent="AWS Internal",
    )
    sc.ct(
        onset + timedelta(minutes=r.randint(20, 30)),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration",
        eng,
        {"functionName": "docsign-seal-document"},
        None,
        read_only=True,
        agent="AWS Internal",
    )
    sc.ct(
        onset + timedelta(minutes=r.randint(31, 38)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        eng,
        {
            "queueUrl": f"https://sqs.us-east-1.amazonaws.com/{a}/docsign-seal-queue",
            "attributeNames": ["All"],
        },
        None,
        read_only=True,
        agent="AWS Internal",
    )
    sc.noise_trail(start, now, 46)

    def mod(key: str, t: datetime, v: float) -> float:
        if t < onset:
            return v
        mins = (t - onset).total_seconds() / 60
        if key == "fn.docsign-seal-document.duration":
            return 30000 * fail_share + 2300 * (1 - fail_share)
        if key == "fn.docsign-seal-document.conc":
            return min(60.0, 8 + mins * 1.4)
        if key == "fn.docsign-seal-document.invocations":
            return min(60.0, 8 + mins * 1.4) * 2
        if key == "sqs.seal.backlog":
            return 10 + mins * r.uniform(14, 18)
        if key == "sqs.seal.age":
            return 60 * mins + r.uniform(0, 20)
        if key in ("fn.docsign-webhook-dispatcher.invocations", "fn.docsign-notify-signers.invocations"):
            return v * 0.7
        return v

    def errs(key: str, t: datetime, v: float) -> float:
        if key == "fn.docsign-seal-document.errors" and t >= onset:
            mins = (t - onset).total_seconds() / 60
            return round(min(60.0, 8 + mins * 1.4) * 2 * fail_share)
        return mod(key, t, v)

    def hook(fn: str, t: datetime) -> tuple[float, list[tuple[str, str]], bool] | None:
        if fn != "docsign-seal-document" or t < onset:
            return None
        env_id = sc.uuid()
        if r.random() > fail_share:
            return (
                float(r.randint(2100, 2900)),
                [
                    (
                        "INFO",
                        f"sealing envelope {env_id}: {r.randint(1, 5)} documents, {r.randint(1, 4)} signatures",
                    ),
                    ("INFO", f"TSA token received from http://{TSA} in {r.randint(900, 1900)}ms"),
                    ("INFO", "sealed PDF written; audit trail appended"),
                ],
                False,
            )
        lines = [
            ("INFO", f"sealing envelope {env_id}: {r.randint(1, 5)} documents, {r.randint(1, 4)} signatures")
        ]
        for attempt in (1, 2, 3):
            lines.append(
                (
                    "WARN",
                    f"TSA request failed (attempt {attempt}/3): TimeoutError: timestamp request to "
                    f"http://{TSA} timed out after 8000ms",
                )
            )
        return (float(r.randint(30000, 30030)), lines, True)

    traffic(sc, start, now, r.uniform(380, 560), errs, hook)

    alarm = sc.alarm(
        "docsign-seal-queue-age",
        "Oldest message in the seal queue. Completed envelopes are waiting to be sealed.",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "docsign-seal-queue"},
        "Maximum",
        600,
        period=300,
        evals=2,
        state="ALARM",
        since=onset + timedelta(minutes=15),
        reason="Threshold Crossed: 2 out of the last 2 datapoints were greater than or equal to the threshold (600.0).",
    )
    sc.transition(alarm, onset + timedelta(minutes=15), "OK", "ALARM", alarm["StateReason"])
    err_alarm = sc.alarm(
        "docsign-seal-document-errors",
        "Seal worker errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "docsign-seal-document"},
        "Sum",
        20,
        period=300,
        evals=1,
        state="ALARM",
        since=onset + timedelta(minutes=6),
        reason="Threshold Crossed: 1 datapoint [41.0] was greater than or equal to the threshold (20.0).",
    )
    sc.transition(err_alarm, onset + timedelta(minutes=6), "OK", "ALARM", err_alarm["StateReason"])
    sc.alarm(
        "docsign-api-5xx",
        "HTTP API 5xx responses, all routes",
        "AWS/ApiGateway",
        "5xx",
        {"ApiId": sc.api_id, "Stage": "prod"},
        "Sum",
        25,
        evals=5,
        dta=3,
        state="OK",
        since=sc.day - timedelta(days=4),
    )
    flap = sc.alarm(
        "docsign-notify-queue-depth",
        "Signing-request emails waiting",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "docsign-notify-queue"},
        "Maximum",
        3,
        evals=1,
        state="OK",
        since=start + timedelta(minutes=132),
    )
    for k in (40, 97):
        sc.transition(
            flap,
            start + timedelta(minutes=k),
            "OK",
            "ALARM",
            "Threshold Crossed: 1 datapoint [3.0] was greater than or equal to the threshold (3.0).",
        )
        sc.transition(
            flap,
            start + timedelta(minutes=k + 2),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 datapoint [1.0] was not greater than or equal to the threshold (3.0).",
        )

    local = clock(onset + timedelta(minutes=r.randint(3, 9)))
    question = (
        f"Customers are saying envelopes sit on 'Finalizing' after the last signer signs and the completed PDF "
        f"email never comes, since around {local}. Did the KMS key rotation or the S3 lifecycle change break something?"
    )
    return sc.bundle(
        TITLE,
        start,
        now,
        {"question": question, "alarm_event": None, "timezone": "America/New_York"},
        {
            "no_fault": False,
            "root_cause": {
                "resource": TSA,
                "category": "dependency_failure",
                "failure_mode": "timestamp-authority-timeouts",
            },
            "also_accept": [f"http://{TSA}", "DigiCert timestamp authority", "TSA"],
            "actions": ["reconfigure"],
            "chain": [TSA, "docsign-seal-document", "docsign-seal-queue"],
        },
    )
