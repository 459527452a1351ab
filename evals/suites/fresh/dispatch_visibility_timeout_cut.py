"""Partners receive the same file two or three times after the dispatch queue's visibility timeout was cut."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzn as kit

NAME = "filehub-partners-duplicate-files"
TITLE = "Partners say they are getting the same EDI files two or three times; dispatch DLQ alarm firing"
SUMMARY = (
    "The partner-dispatch queue's visibility timeout was lowered below the push function's delivery time, "
    "so slow partners' messages are redelivered, duplicated and finally dead-lettered."
)


def build(seed: int) -> Bundle:
    w = kit.new_world(seed, salt=NAME, onset_hour=(9, 14), after_min=(40, 70))
    rng = w.rng
    slow = w.partners[:2]
    old_v = rng.choice([600, 720, 900])
    new_v = rng.choice([30, 30, 45])

    def rate(t: datetime, p: str) -> float:
        return (0.8 if p in slow else 1.6) * (1.0 + 0.3 * ((t.minute // 15) % 2))

    def secs(t: datetime, p: str) -> float:
        return rng.uniform(48, 85) if p in slow else rng.uniform(3, 14)

    def vis(t: datetime) -> int:
        return new_v if t >= w.onset else old_v

    k = kit.Knobs(upload_rate=rate, push_seconds=secs, visibility=vis)
    kit.simulate(w, k)
    kit.resources(w, visibility=new_v, push_timeout=120, queue_modified=w.onset)
    alarms = kit.standard_alarms(w)
    kit.noise(w)
    # innocent changes around the onset
    kit.deploy(w, w.onset - timedelta(minutes=rng.randint(25, 50)), kit.FN_ROUTER)
    kit.import_key(w, w.onset - timedelta(minutes=rng.randint(70, 130)), w.partners[3], "priya.natarajan")
    kit.deploy(w, w.onset + timedelta(minutes=rng.randint(8, 20)), kit.FN_RECON)
    user = rng.choice(["dmitri.kovac", "lena.hoffmann", "sam.okafor"])
    url = f"https://sqs.{w.region}.amazonaws.com/{w.account}/{kit.QUEUE}"
    kit.console_reads(
        w,
        user,
        w.onset - timedelta(minutes=6),
        [
            ("sqs.amazonaws.com", "ListQueues", {}),
            ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": url, "attributeNames": ["All"]}),
            ("sqs.amazonaws.com", "ListQueueTags", {"queueUrl": url}),
        ],
    )
    eid = w.trail(
        w.onset - timedelta(seconds=rng.randint(20, 50)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        kit.sso(w, user),
        {"queueUrl": url, "attributes": {"VisibilityTimeout": str(new_v)}},
        None,
        read_only=False,
        agent="AWS Internal",
        ip=f"81.{rng.randint(2, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    )
    other = "filehub-audit-events"
    w.trail(
        w.onset - timedelta(minutes=rng.randint(2, 4)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        kit.sso(w, user),
        {
            "queueUrl": f"https://sqs.{w.region}.amazonaws.com/{w.account}/{other}",
            "attributes": {"ReceiveMessageWaitTimeSeconds": "20"},
        },
        None,
        read_only=False,
        agent="AWS Internal",
        ip=f"81.{rng.randint(2, 200)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
    )
    w.resource(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{w.region}.amazonaws.com/{w.account}/{other}",
            "Attributes": {
                "QueueArn": w.arn("sqs", other),
                "VisibilityTimeout": "60",
                "ReceiveMessageWaitTimeSeconds": "20",
                "MessageRetentionPeriod": "345600",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"app": "filehub"},
        },
    )
    kit.console_reads(
        w,
        rng.choice(["marco.bianchi", "aiko.tanaka"]),
        w.now - timedelta(minutes=9),
        [
            (
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                {"alarmNames": ["filehub-dispatch-dlq-not-empty"]},
            ),
            (
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": url.replace(kit.QUEUE, kit.DLQ), "attributeNames": ["All"]},
            ),
        ],
    )
    events = kit.evaluate(w)
    dlq = alarms["dlq"]
    ev = events.get(dlq["AlarmName"])
    tz = {"eu-west-1": "Europe/Dublin", "eu-central-1": "Europe/Berlin", "us-east-2": "America/Chicago"}[
        w.region
    ]
    local = (w.onset + timedelta(minutes=rng.randint(2, 6))).astimezone(ZoneInfo(tz))
    question = (
        f"{slow[0].capitalize()} and {slow[1].capitalize()} both emailed: every dispatch file since about "
        f"{local:%H:%M} has arrived two or three times and their ERP is double-booking orders. The DLQ alarm is "
        "also going off. Are we sending twice or is it their side?"
    )
    trigger = {
        "question": question,
        "timezone": tz,
        "alarm_event": kit.alarm_event(w, dlq, ev) if ev else None,
    }
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": kit.QUEUE,
            "category": "change",
            "failure_mode": "sqs-visibility-timeout-below-function-duration",
            "event_id": eid,
        },
        "also_accept": [url, w.arn("sqs", kit.QUEUE)],
        "actions": ["rollback", "reconfigure"],
        "chain": [kit.QUEUE, kit.FN_PUSH, kit.DLQ, *slow],
    }
    return w.bundle(TITLE, trigger, truth)
