"""Order confirmation and password-reset emails delayed: a marketing bulk send uses the whole SES send rate."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh import _kit_o as k

NAME = "order-emails-backlog"
TITLE = "Transactional email queue backing up"
SUMMARY = (
    "A scheduled marketing campaign (campaign-sender on ECS) sends at the SES account's maximum send rate; the "
    "transactional-mailer Lambda gets 'Throttling: Maximum sending rate exceeded', returns its batches as failures "
    "and the transactional-email queue's age and DLQ grow. No configuration changed."
)

REGIONS = [
    ("us-east-1", "America/New_York"),
    ("eu-west-1", "Europe/London"),
    ("us-west-2", "America/Los_Angeles"),
]
PEOPLE = ["kim.nguyen", "ben.adler", "laura.costa", "arjun.mehta"]


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = k.account_id(rng)
    region, tzname = rng.choice(REGIONS)
    tz = ZoneInfo(tzname)
    day = k.pick_day(rng)
    sched_hour = rng.choice([9, 10, 11])
    local_start = datetime(day.year, day.month, day.day, sched_hour, 0, tzinfo=tz)
    camp_at = local_start.astimezone(UTC) + timedelta(seconds=rng.randint(1, 20))
    onset = k.floor_minute(camp_at + timedelta(minutes=1))
    start = k.floor_minute(onset - timedelta(hours=5, minutes=rng.randint(0, 40)))
    now = k.floor_minute(onset + timedelta(minutes=rng.randint(38, 52)))
    clock = k.Clock(start, now)
    n = clock.minutes
    i_on = clock.index(onset)
    offset_h = (local_start.utcoffset() or timedelta()).total_seconds() / 3600

    org = rng.choice(["larkspur", "tidewell", "oakbarrel", "fernhill"])
    domain = f"{org}.shop"
    max_rate = float(rng.choice([50, 80, 100, 140]))
    audience = rng.randint(300_000, 520_000)
    campaign = f"{rng.choice(['spring-sale', 'summer-drop', 'member-week', 'flash-friday'])}-{day.year}-w{day.isocalendar()[1]:02d}"
    queue = "transactional-email"
    dlq = "transactional-email-dlq"
    fn = "transactional-mailer"
    topic = f"arn:aws:sns:{region}:{account}:commerce-oncall"
    q_url = f"https://sqs.{region}.amazonaws.com/{account}/{queue}"
    q_arn = f"arn:aws:sqs:{region}:{account}:{queue}"
    dlq_arn = f"arn:aws:sqs:{region}:{account}:{dlq}"
    fn_arn = f"arn:aws:lambda:{region}:{account}:function:{fn}"
    cluster = "marketing-prod"
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster}"
    task_id = k.hexs(rng, 32)
    task_arn = f"arn:aws:ecs:{region}:{account}:task/{cluster}/{task_id}"
    td_rev = rng.randint(20, 60)
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/campaign-sender:{td_rev}"
    sched_role = f"arn:aws:iam::{account}:role/marketing-scheduler"

    # --- queue simulation ----------------------------------------------------------------------------
    arrivals = [
        max(
            0,
            round(
                rng.gauss(1, 0.15) * 32 * k.daily(clock.at(i), offset_h, [(11, 3, 0.8), (20, 2.5, 0.9)], 0.2)
            ),
        )
        for i in range(n)
    ]
    msgs: list[list[float]] = []  # [arrival_min, receives, visible_at_min, done(0/1/2=dlq)]
    sent_s: list[float | None] = []
    recv_s: list[float | None] = []
    del_s: list[float | None] = []
    vis_s: list[float | None] = []
    inv_s: list[float | None] = []
    nv_s: list[float | None] = []
    age_s: list[float | None] = []
    dlq_s: list[float | None] = []
    dur_s: list[float | None] = []
    conc_s: list[float | None] = []
    mail_ok: list[float] = []
    dlq_total = 0
    live: list[list[float]] = []
    for i in range(n):
        for _ in range(arrivals[i]):
            msg = [i + rng.random(), 0.0, i + rng.random(), 0.0]
            msgs.append(msg)
            live.append(msg)
        throttled = i >= i_on
        cap = 10_000 if not throttled else rng.randint(55, 75)
        p_ok = 1.0 if not throttled else rng.uniform(0.14, 0.24)
        ready = sorted((x for x in live if x[2] <= i + 1), key=lambda x: x[0])
        got = ready[:cap]
        received = deleted = 0
        for x in got:
            if x[1] >= 5:  # maxReceiveCount reached: moved to the DLQ on this receive
                x[3] = 2
                dlq_total += 1
                continue
            x[1] += 1
            received += 1
            if rng.random() < p_ok:
                x[3] = 1
                deleted += 1
            else:
                x[2] = i + 1 + 2  # visibility timeout 120 s
        live = [x for x in live if x[3] == 0]
        visible = sum(1 for x in live if x[2] <= i + 1)
        sent_s.append(float(arrivals[i]))
        recv_s.append(float(received))
        del_s.append(float(deleted))
        vis_s.append(float(visible))
        nv_s.append(float(len(live) - visible))
        age_s.append(float(round(max(((i + 1 - x[0]) * 60 for x in live), default=rng.uniform(0, 3)))))
        dlq_s.append(float(dlq_total))
        batches = max(0, -(-received // 10)) if throttled else received if received < 4 else -(-received // 4)
        inv_s.append(float(batches))
        if throttled:
            dur_s.append(rng.uniform(38_000, 62_000) if batches else None)
            conc_s.append(5.0)
        else:
            dur_s.append(rng.uniform(140, 420) if batches else None)
            conc_s.append(float(min(3, max(1, batches // 3))) if batches else None)
        mail_ok.append(float(deleted))
    ses_send: list[float | None] = []
    for i in range(n):
        if i >= i_on:
            ses_send.append(float(round(max_rate * 60 * rng.uniform(0.985, 1.0))))
        else:
            ses_send.append(mail_ok[i] + float(rng.randint(0, 3)))
    delivery = [
        float(round((ses_send[i - 1] or 0) * rng.uniform(0.975, 0.99))) if i else 0.0 for i in range(n)
    ]
    bounce = [float(round((ses_send[i] or 0) * rng.uniform(0.004, 0.011))) for i in range(n)]
    complaint = [float(rng.random() < (0.3 if i >= i_on else 0.01)) for i in range(n)]

    m = k.Metrics(clock, start)
    qd = {"QueueName": queue}
    dd = {"QueueName": dlq}
    m.emit("AWS/SQS", "NumberOfMessagesSent", qd, "Count", sent_s, digits=0)
    m.emit("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", recv_s, digits=0)
    m.emit("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", del_s, digits=0)
    m.emit("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", vis_s, digits=0)
    m.emit("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", qd, "Count", nv_s, digits=0)
    m.emit("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, "Seconds", age_s, digits=0)
    m.emit("AWS/SQS", "ApproximateNumberOfMessagesVisible", dd, "Count", dlq_s, digits=0)
    m.emit("AWS/SQS", "NumberOfMessagesSent", dd, "Count", [0.0] * n, digits=0)
    fd = {"FunctionName": fn}
    m.emit("AWS/Lambda", "Invocations", fd, "Count", inv_s, nonzero_only=True, digits=0)
    m.emit("AWS/Lambda", "Errors", fd, "Count", [0.0 if v else None for v in inv_s], digits=0)
    m.emit("AWS/Lambda", "Duration", fd, "Milliseconds", dur_s, digits=2)
    m.emit("AWS/Lambda", "ConcurrentExecutions", fd, "Count", conc_s, digits=0)
    m.emit("AWS/SES", "Send", {}, "Count", ses_send, digits=0)
    m.emit("AWS/SES", "Delivery", {}, "Count", delivery, nonzero_only=True, digits=0)
    m.emit("AWS/SES", "Bounce", {}, "Count", bounce, nonzero_only=True, digits=0)
    m.emit("AWS/SES", "Complaint", {}, "Count", complaint, nonzero_only=True, digits=0)
    m.emit(
        "AWS/SES",
        "Reputation.BounceRate",
        {},
        "None",
        [0.0071 + 0.0004 * (i / n) for i in range(n)],
        digits=5,
        every=5,
    )
    ecsd = {"ClusterName": cluster, "ServiceName": "order-events"}
    ord_cpu = [22 + rng.gauss(0, 2) for _ in range(n)]
    m.emit("AWS/ECS", "CPUUtilization", ecsd, "Percent", ord_cpu, digits=2)

    al = k.Alarms(rng, clock, account, region)
    age_spec = k.AlarmSpec(
        f"{queue}-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        60,
        3,
        300.0,
        "GreaterThanThreshold",
        description="Transactional emails are waiting more than 5 minutes to be sent",
        actions=[topic],
        ok_actions=[topic],
    )
    trs = al.add(age_spec, age_s)
    al.add(
        k.AlarmSpec(
            f"{dlq}-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dd,
            "Maximum",
            300,
            1,
            0.0,
            "GreaterThanThreshold",
            description="Transactional emails failed 5 times",
            actions=[topic],
        ),
        dlq_s,
    )
    al.add(
        k.AlarmSpec(
            f"{fn}-errors",
            "AWS/Lambda",
            "Errors",
            fd,
            "Sum",
            300,
            1,
            5.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        [0.0] * n,
        sparse=True,
    )
    al.add(
        k.AlarmSpec(
            "ses-bounce-rate-high",
            "AWS/SES",
            "Reputation.BounceRate",
            {},
            "Maximum",
            300,
            1,
            0.05,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        [0.0071] * n,
    )
    al.add(
        k.AlarmSpec(
            "order-events-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            ecsd,
            "Average",
            300,
            3,
            85.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        ord_cpu,
    )
    trig = next(t for t in trs if t.new == "ALARM")

    # --- logs ----------------------------------------------------------------------------------------
    logs = k.Logs()
    lg = f"/aws/lambda/{fn}"
    streams = [k.lambda_stream(rng, start) for _ in range(2)]
    later = [k.lambda_stream(rng, onset) for _ in range(4)]
    templates = [
        "order_confirmation",
        "order_confirmation",
        "order_shipped",
        "password_reset",
        "email_verification",
    ]
    for i in range(n):
        b = int(inv_s[i] or 0)
        if not b:
            continue
        throttled = i >= i_on
        shown = b if not throttled else min(b, 3)
        for j in range(shown):
            t = clock.at(i) + timedelta(seconds=rng.randint(0, 55))
            stream = streams[j % 2] if not throttled else ([*streams, *later])[j % 6]
            size = rng.randint(1, 4) if not throttled else 10
            body: list[str] = []
            if not throttled:
                for _ in range(size):
                    body.append(
                        f"[INFO]\t{k.iso_ms(t).replace('+0000', 'Z')}\t{{rid}}\tsent {rng.choice(templates)} message_id=0100{k.hexs(rng, 12)}-{k.uuid(rng)}-000000"
                    )
                dur = rng.uniform(90, 140) * size
            else:
                ok = rng.randint(0, 3)
                for _ in range(10 - ok):
                    body.append(
                        f"[ERROR]\t{k.iso_ms(t).replace('+0000', 'Z')}\t{{rid}}\tsend failed template={rng.choice(templates)} sqs_message_id={k.uuid(rng)}: "
                        "An error occurred (Throttling) when calling the SendTemplatedEmail operation (reached max retries: 4): Maximum sending rate exceeded."
                    )
                body.append(
                    f"[WARNING]\t{k.iso_ms(t).replace('+0000', 'Z')}\t{{rid}}\treturning {10 - ok} of 10 records as batchItemFailures"
                )
                dur = rng.uniform(38_000, 62_000)
            k.lambda_invocation(logs, rng, lg, stream, t, dur, 256, rng.randint(78, 96), body)
    cg = "/ecs/campaign-sender"
    cs = f"campaign-sender/campaign-sender/{task_id}"
    t = camp_at + timedelta(seconds=rng.randint(25, 45))
    logs.add(
        cg,
        cs,
        t,
        json.dumps(
            {
                "level": "info",
                "time": k.ms(t),
                "msg": "campaign starting",
                "campaignId": campaign,
                "template": f"{campaign}-main",
                "audience": audience,
                "concurrency": 32,
                "batchSize": 50,
            },
            separators=(",", ":"),
        ),
    )
    sent = 0
    tt = t + timedelta(seconds=60)
    while tt < now:
        sent += int(max_rate * 60 * rng.uniform(0.985, 1.0))
        thr = rng.randint(180, 900)
        logs.add(
            cg,
            cs,
            tt,
            json.dumps(
                {
                    "level": "info",
                    "time": k.ms(tt),
                    "msg": "progress",
                    "campaignId": campaign,
                    "sent": min(sent, audience),
                    "audience": audience,
                    "ratePerSec": round(max_rate * rng.uniform(0.985, 1.0), 1),
                    "throttledRetries": thr,
                },
                separators=(",", ":"),
            ),
        )
        if rng.random() < 0.35:
            logs.add(
                cg,
                cs,
                tt + timedelta(seconds=rng.randint(1, 50)),
                json.dumps(
                    {
                        "level": "warn",
                        "time": k.ms(tt),
                        "msg": "SES throttling, backing off",
                        "code": "Throttling",
                        "detail": "Maximum sending rate exceeded.",
                        "backoffMs": rng.choice([200, 400, 800]),
                    },
                    separators=(",", ":"),
                ),
            )
        tt += timedelta(seconds=60)
    og = "/ecs/order-events"
    for i in range(0, n, 3):
        t = clock.at(i) + timedelta(seconds=rng.randint(0, 59))
        logs.add(
            og,
            f"order-events/order-events/{k.hexs(rng, 4)}",
            t,
            json.dumps(
                {
                    "level": "info",
                    "time": k.ms(t),
                    "msg": "published",
                    "event": "OrderPlaced",
                    "count": rng.randint(40, 120),
                },
                separators=(",", ":"),
            ),
        )

    # --- CloudTrail ---------------------------------------------------------------------------------
    tr = k.Trail(rng, account, region)
    office_ip = (
        f"{rng.choice([64, 72, 96, 151])}.{rng.randint(10, 250)}.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
    )
    ppl = [
        tr.sso(
            f"{p}@{domain}",
            rng.choice(["DeveloperAccess", "ReadOnlyAccess", "AdministratorAccess"]),
            office_ip,
        )
        for p in PEOPLE
    ]
    ci = tr.role(
        "deploy-order-events",
        f"codebuild-{k.hexs(rng, 8)}",
        f"3.{rng.randint(80, 240)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/ecs#1.41.7",
    )
    mon = tr.role("datadog-integration", k.hexs(rng, 16), "3.233.150.12", "Datadog/1.0")
    k.routine_reads(
        tr,
        rng,
        start,
        now,
        [*ppl[:3], mon],
        30,
        extra_calls=[
            ("sqs.amazonaws.com", "GetQueueAttributes", {"queueUrl": q_url, "attributeNames": ["All"]}),
            ("ses.amazonaws.com", "GetSendQuota", None),
            ("lambda.amazonaws.com", "GetFunction20150331v2", {"functionName": fn}),
        ],
    )
    sched = tr.role(
        "marketing-scheduler", k.hexs(rng, 32), "scheduler.amazonaws.com", "scheduler.amazonaws.com"
    )
    sched.tls = False
    tr.add(
        camp_at,
        sched,
        "ecs.amazonaws.com",
        "RunTask",
        {
            "cluster": cluster_arn,
            "count": 1,
            "launchType": "FARGATE",
            "taskDefinition": td_arn,
            "startedBy": "chronos-schedule",
            "networkConfiguration": {
                "awsvpcConfiguration": {"subnets": [k.res_id(rng, "subnet")], "assignPublicIp": "DISABLED"}
            },
            "overrides": {
                "containerOverrides": [
                    {"name": "campaign-sender", "environment": [{"name": "CAMPAIGN_ID", "value": campaign}]}
                ]
            },
        },
        {
            "tasks": [
                {
                    "taskArn": task_arn,
                    "clusterArn": cluster_arn,
                    "taskDefinitionArn": td_arn,
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                    "launchType": "FARGATE",
                    "cpu": "1024",
                    "memory": "2048",
                    "createdAt": camp_at.strftime("%b %-d, %Y, %-I:%M:%S %p"),
                    "group": "family:campaign-sender",
                }
            ],
            "failures": [],
        },
    )
    k.assume_role_by_service(
        tr,
        camp_at + timedelta(seconds=20),
        "ecs-tasks.amazonaws.com",
        f"arn:aws:iam::{account}:role/campaign-sender-task",
        task_id,
    )
    for t in k.spread(rng, start, now, 5):
        k.assume_role_by_service(tr, t, "lambda.amazonaws.com", f"arn:aws:iam::{account}:role/{fn}-role", fn)
    # innocent changes
    dep = onset - timedelta(minutes=rng.randint(14, 27), seconds=rng.randint(0, 59))
    tr.add(
        dep,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "order-events",
            "taskDefinition": f"order-events:{rng.randint(100, 300)}",
        },
        {
            "service": {
                "serviceName": "order-events",
                "clusterArn": cluster_arn,
                "desiredCount": 2,
                "status": "ACTIVE",
            }
        },
    )
    tr.add(
        onset - timedelta(minutes=rng.randint(3, 10), seconds=rng.randint(0, 59)),
        ppl[2],
        "sqs.amazonaws.com",
        "TagQueue",
        {"queueUrl": q_url, "tags": {"owner": "commerce-platform", "data-classification": "pii"}},
        None,
    )
    tr.add(
        onset + timedelta(minutes=rng.randint(5, 14)),
        ppl[0],
        "ses.amazonaws.com",
        "UpdateConfigurationSetReputationMetricsEnabled",
        {"configurationSetName": "marketing", "enabled": True},
        None,
    )
    for t in k.spread(rng, onset + timedelta(minutes=10), now, 4):
        tr.add(
            t,
            ppl[1],
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            {"queueUrl": q_url, "attributeNames": ["All"]},
            None,
            read_only=True,
        )

    # --- resources ------------------------------------------------------------------------------------
    created = start - timedelta(days=rng.randint(300, 900))
    res: list[k.Json] = []
    res.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": q_url,
                "Attributes": {
                    "QueueArn": q_arn,
                    "ApproximateNumberOfMessages": str(int(vis_s[-1] or 0)),
                    "ApproximateNumberOfMessagesNotVisible": str(int(nv_s[-1] or 0)),
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int((created + timedelta(days=40)).timestamp())),
                    "VisibilityTimeout": "120",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "RedrivePolicy": json.dumps(
                        {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
                    ),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {
                    "owner": "commerce-platform",
                    "data-classification": "pii",
                    "service": "transactional-email",
                },
            },
        }
    )
    res.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": q_url.replace(queue, dlq),
                "Attributes": {
                    "QueueArn": dlq_arn,
                    "ApproximateNumberOfMessages": str(int(dlq_s[-1] or 0)),
                    "ApproximateNumberOfMessagesNotVisible": "0",
                    "ApproximateNumberOfMessagesDelayed": "0",
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(created.timestamp())),
                    "VisibilityTimeout": "30",
                    "MaximumMessageSize": "262144",
                    "MessageRetentionPeriod": "1209600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "0",
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"service": "transactional-email"},
            },
        }
    )
    res.append(
        {
            "service": "lambda",
            "type": "FunctionConfiguration",
            "item": {
                "FunctionName": fn,
                "FunctionArn": fn_arn,
                "Runtime": "python3.12",
                "Role": f"arn:aws:iam::{account}:role/{fn}-role",
                "Handler": "mailer.handler",
                "CodeSize": rng.randint(20000, 90000),
                "Timeout": 90,
                "MemorySize": 256,
                "LastModified": (start - timedelta(days=rng.randint(5, 40))).strftime(
                    "%Y-%m-%dT%H:%M:%S.000+0000"
                ),
                "CodeSha256": k.upper(rng, 43, k.ALNUM + "abcdefghijklmnopqrstuvwxyz+/") + "=",
                "Version": "$LATEST",
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "Environment": {
                    "Variables": {"FROM_ADDRESS": f"orders@{domain}", "CONFIGURATION_SET": "transactional"}
                },
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": lg},
            },
        }
    )
    res.append(
        {
            "service": "lambda",
            "type": "EventSourceMappingConfiguration",
            "item": {
                "UUID": k.uuid(rng),
                "BatchSize": 10,
                "MaximumBatchingWindowInSeconds": 0,
                "EventSourceArn": q_arn,
                "FunctionArn": fn_arn,
                "LastModified": k.iso(created + timedelta(days=40)),
                "State": "Enabled",
                "StateTransitionReason": "USER_INITIATED",
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": {"MaximumConcurrency": 5},
            },
        }
    )
    res.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": cluster_arn,
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": 3,
                "pendingTasksCount": 0,
                "activeServicesCount": 1,
                "capacityProviders": ["FARGATE"],
            },
        }
    )
    res.append(
        {
            "service": "ecs",
            "type": "Task",
            "item": {
                "taskArn": task_arn,
                "clusterArn": cluster_arn,
                "taskDefinitionArn": td_arn,
                "lastStatus": "RUNNING",
                "desiredStatus": "RUNNING",
                "launchType": "FARGATE",
                "cpu": "1024",
                "memory": "2048",
                "createdAt": k.iso(camp_at),
                "startedAt": k.iso(camp_at + timedelta(seconds=31)),
                "startedBy": "chronos-schedule",
                "group": "family:campaign-sender",
                "platformVersion": "1.4.0",
                "availabilityZone": f"{region}b",
                "containers": [
                    {
                        "name": "campaign-sender",
                        "lastStatus": "RUNNING",
                        "image": f"{account}.dkr.ecr.{region}.amazonaws.com/campaign-sender:{k.hexs(rng, 7)}",
                    }
                ],
                "overrides": {
                    "containerOverrides": [
                        {
                            "name": "campaign-sender",
                            "environment": [{"name": "CAMPAIGN_ID", "value": campaign}],
                        }
                    ]
                },
            },
        }
    )
    res.append(
        {
            "service": "scheduler",
            "type": "GetScheduleOutput",
            "item": {
                "Arn": f"arn:aws:scheduler:{region}:{account}:schedule/marketing/{campaign}",
                "GroupName": "marketing",
                "Name": campaign,
                "ScheduleExpression": f"at({local_start.strftime('%Y-%m-%dT%H:%M:%S')})",
                "ScheduleExpressionTimezone": tzname,
                "State": "ENABLED",
                "CreationDate": k.iso(camp_at - timedelta(days=rng.randint(2, 6), hours=rng.randint(1, 8))),
                "LastModificationDate": k.iso(camp_at - timedelta(days=1, hours=rng.randint(1, 8))),
                "Target": {
                    "Arn": cluster_arn,
                    "RoleArn": sched_role,
                    "EcsParameters": {"TaskDefinitionArn": td_arn, "LaunchType": "FARGATE", "TaskCount": 1},
                },
                "FlexibleTimeWindow": {"Mode": "OFF"},
                "ActionAfterCompletion": "NONE",
            },
        }
    )
    res.append(
        {
            "service": "sesv2",
            "type": "GetAccountResponse",
            "item": {
                "DedicatedIpAutoWarmupEnabled": False,
                "EnforcementStatus": "HEALTHY",
                "ProductionAccessEnabled": True,
                "SendingEnabled": True,
                "SendQuota": {
                    "Max24HourSend": 1_000_000.0,
                    "MaxSendRate": max_rate,
                    "SentLast24Hours": float(sum(v or 0 for v in ses_send[-1440:])),
                },
            },
        }
    )
    res.append(k.role_item(rng, account, f"{fn}-role", "lambda.amazonaws.com", created, now, region))
    res.append(
        k.role_item(rng, account, "campaign-sender-task", "ecs-tasks.amazonaws.com", created, now, region)
    )
    res.append(k.log_group_item(account, region, lg, created, 30, rng.randint(10**8, 10**9)))
    res.append(k.log_group_item(account, region, cg, created, 14, rng.randint(10**7, 10**8)))

    ev = al.event(age_spec, trig)
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": ev},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": "campaign-sender",
                    "category": "limit",
                    "failure_mode": "ses-max-send-rate-exhausted",
                    "event_id": None,
                },
                "also_accept": [
                    task_arn,
                    td_arn,
                    f"arn:aws:scheduler:{region}:{account}:schedule/marketing/{campaign}",
                    campaign,
                ],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"The scheduled campaign {campaign} starts campaign-sender on {cluster}, sending {audience} emails as fast as SES allows",
                    f"The account's SES maximum send rate ({int(max_rate)}/s) is saturated (AWS/SES Send flat at the ceiling)",
                    f"{fn} gets Throttling: Maximum sending rate exceeded on SendTemplatedEmail and returns its batches as failures",
                    f"{queue} backs up (ApproximateAgeOfOldestMessage alarm) and messages start landing in {dlq}",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m.rows,
            "alarms": al.alarms,
            "alarm_history": al.history,
            "logs": logs.sorted(),
            "cloudtrail": tr.sorted(),
            "resources": res,
        },
    )
