"""Export jobs finish, yet their messages pile up in the dead-letter queue after a Terraform apply."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzx as k

NAME = "export-jobs-redelivered-to-dlq"
TITLE = "export-jobs DLQ alarm in the afternoon, but customers' exports seem to arrive"
SUMMARY = (
    "A Terraform module update cut the export-jobs queue's visibility timeout below the export time, so "
    "jobs are redelivered while still running and land in the DLQ after five receives."
)

_REGIONS = [
    ("eu-west-1", "Europe/Dublin"),
    ("eu-central-1", "Europe/Berlin"),
    ("us-east-1", "America/New_York"),
]


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    ids = k.Ids(rng)
    account = ids.account()
    region, tz = rng.choice(_REGIONS)
    zone = ZoneInfo(tz)
    d = k.day(rng, weekday=rng.randint(0, 3))
    local_noon = datetime(d.year, d.month, d.day, 12, 0, tzinfo=zone)
    change = local_noon + timedelta(minutes=rng.randint(60, 200), seconds=rng.randint(0, 59))
    start = (change - timedelta(hours=4, minutes=rng.randint(0, 20))).replace(second=0)
    now = change + timedelta(minutes=rng.randint(62, 85))
    end = now + timedelta(minutes=10)
    deploy = change - timedelta(minutes=rng.randint(28, 45))

    trail = k.Trail(ids, account, region)
    subnets = [f"subnet-{ids.hex(17)}", f"subnet-{ids.hex(17)}"]
    sg = f"sg-{ids.hex(17)}"
    q_url = f"https://sqs.{region}.amazonaws.com/{account}/"
    old_tasks = [ids.hex(32) for _ in range(4)]
    new_tasks = [ids.hex(32) for _ in range(4)]
    rev = rng.randint(30, 70)
    vis_new = rng.choice([30, 60])

    # --- the jobs ---------------------------------------------------------------------------------
    log_rows: list[k.Rec] = []
    wlines: dict[str, list[tuple[datetime, str]]] = {}
    sent: dict[datetime, float] = {}
    recv: dict[datetime, float] = {}
    deleted: dict[datetime, float] = {}
    ccf: dict[datetime, float] = {}
    inflight: list[tuple[datetime, datetime]] = []
    to_dlq: list[tuple[datetime, datetime]] = []  # (moved, enqueued)
    age_at: list[tuple[datetime, datetime, datetime]] = []  # message life: enqueued -> finally gone
    dispatch_lines: list[tuple[datetime, str]] = []

    def minute(t: datetime) -> datetime:
        return t.replace(second=0, microsecond=0)

    def bump(m: dict[datetime, float], t: datetime, v: float = 1.0) -> None:
        m[minute(t)] = m.get(minute(t), 0.0) + v

    def wlog(task: str, t: datetime, level: str, text: str) -> None:
        stamp = t.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S,") + f"{t.microsecond // 1000:03d}"
        wlines.setdefault(task, []).append((t, f"{stamp} {level} [export_worker.runner] {text}"))

    t = start.replace(minute=(start.minute // 5) * 5) + timedelta(minutes=5)
    while t < now:
        inv = t + timedelta(seconds=rng.randint(0, 3), milliseconds=rng.randint(0, 999))
        n = rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5])
        body = [(40.0, "scanning export-jobs for status=PENDING (gsi status-created-index)")]
        body.append(
            (180.0 + rng.random() * 90, f"found {n} pending export jobs; enqueued {n} to export-jobs")
        )
        dur = 210.0 + rng.random() * 140
        dispatch_lines += k.lambda_lines(rng, ids, inv, body, dur, 256, rng.randint(88, 96))
        for _ in range(n):
            jid = "exp_" + ids.hex(12)
            tenant = rng.choice(
                ["acme-retail", "northwind", "bluepeak", "fernhill", "orbitco", "saltmarsh", "kestrel"]
            )
            enq = inv + timedelta(milliseconds=rng.randint(200, 400))
            bump(sent, enq)
            small = rng.random() < 0.3
            work = rng.uniform(14, 48) if small else rng.uniform(vis_new + 30, 260)
            rows = int(work * rng.uniform(90, 140))
            r = enq + timedelta(milliseconds=rng.randint(30, 900))
            pool = new_tasks if r >= deploy + timedelta(minutes=3) else old_tasks
            owner = rng.choice(pool)
            vis = vis_new if r >= change else 900
            done = r + timedelta(seconds=work)
            bump(recv, r)
            wlog(owner, r, "INFO", f"received job_id={jid} tenant={tenant} receive_count=1")
            wlog(owner, r + timedelta(milliseconds=45), "INFO", f"claimed job_id={jid} lease=900s")
            receives = [r]
            nxt = r + timedelta(seconds=vis)
            while nxt < done and nxt < end:
                rr = nxt + timedelta(milliseconds=rng.randint(5, 1500))
                if len(receives) >= 5:
                    break
                receives.append(rr)
                other = rng.choice([x for x in pool if x != owner])
                bump(recv, rr)
                bump(ccf, rr)
                wlog(
                    other, rr, "INFO", f"received job_id={jid} tenant={tenant} receive_count={len(receives)}"
                )
                wlog(
                    other,
                    rr + timedelta(milliseconds=38),
                    "WARNING",
                    f"claim failed for job_id={jid}: ConditionalCheckFailedException (status=RUNNING, "
                    f"claimed_by={owner[:8]}); leaving message for redelivery",
                )
                nxt = rr + timedelta(seconds=vis)
            wlog(
                owner,
                done,
                "INFO",
                f"job_id={jid} finished rows={rows} bytes={rows * rng.randint(180, 260)} "
                f"duration={work:.1f}s -> s3://exports-{account}-{region}/{tenant}/{jid}.csv.gz",
            )
            bump(deleted, done)
            wlog(owner, done + timedelta(milliseconds=60), "INFO", f"deleted message for job_id={jid}")
            if len(receives) == 1:
                inflight.append((r, done))
                age_at.append((enq, r, done))
                continue
            # the delete used a stale receipt handle: the message stays and keeps coming back
            cur = receives[-1]
            while True:
                nxt = cur + timedelta(seconds=vis, milliseconds=rng.randint(5, 1500))
                if nxt >= end:
                    inflight.append((r, end))
                    break
                if len(receives) >= 5:
                    to_dlq.append((nxt, enq))
                    inflight.append((r, nxt))
                    break
                receives.append(nxt)
                other = rng.choice(pool)
                bump(recv, nxt)
                bump(ccf, nxt)
                wlog(
                    other, nxt, "INFO", f"received job_id={jid} tenant={tenant} receive_count={len(receives)}"
                )
                wlog(
                    other,
                    nxt + timedelta(milliseconds=41),
                    "WARNING",
                    f"claim failed for job_id={jid}: ConditionalCheckFailedException (status=COMPLETED, "
                    f"claimed_by={owner[:8]}); leaving message for redelivery",
                )
                cur = nxt
            age_at.append((enq, r, inflight[-1][1]))
        t += timedelta(minutes=5)

    for task in old_tasks + new_tasks:
        lines = wlines.get(task, [])
        first = deploy + timedelta(minutes=2) if task in new_tasks else start
        boot = [
            (
                first,
                f"{first.astimezone(zone).strftime('%Y-%m-%d %H:%M:%S,000')} INFO [export_worker] "
                f"starting export-worker 2.{rev}.0 queue={q_url}export-jobs concurrency=2 wait_time=20s",
            )
        ]
        if task in old_tasks:
            stop = deploy + timedelta(minutes=3, seconds=rng.randint(5, 40))
            lines = [x for x in lines if x[0] < stop]
            lines.append(
                (
                    stop,
                    f"{stop.astimezone(zone).strftime('%Y-%m-%d %H:%M:%S,000')} INFO [export_worker] "
                    "SIGTERM received, finishing current job and exiting",
                )
            )
            boot = []
        log_rows += k.logs("/ecs/export-worker", f"export-worker/export-worker/{task}", boot + lines)
    log_rows += k.logs(
        "/aws/lambda/export-dispatcher", f"{d:%Y/%m/%d}/[$LATEST]{ids.hex(32)}", dispatch_lines
    )
    log_rows = [r for r in log_rows if r["timestamp"] <= k.ms(now)]

    # --- metrics ----------------------------------------------------------------------------------
    mets: list[k.Rec] = []
    qd = {"QueueName": "export-jobs"}
    dq = {"QueueName": "export-jobs-dlq"}

    mets += k.series(
        "AWS/SQS", "NumberOfMessagesSent", qd, "Count", start, now, 60, lambda x: sent.get(x, 0.0)
    )
    mets += k.series(
        "AWS/SQS", "NumberOfMessagesReceived", qd, "Count", start, now, 60, lambda x: recv.get(x, 0.0)
    )
    mets += k.series(
        "AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", start, now, 60, lambda x: deleted.get(x, 0.0)
    )
    mets += k.series(
        "AWS/SQS",
        "NumberOfEmptyReceives",
        qd,
        "Count",
        start,
        now,
        60,
        lambda x: max(0.0, 12 - recv.get(x, 0.0) * 0.8 + rng.choice([-1, 0, 0, 1])),
    )
    mets += k.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        "Count",
        start,
        now,
        60,
        lambda x: float(sum(1 for a, b in inflight if a <= x < b)),
    )
    mets += k.series(
        "AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, "Count", start, now, 60, lambda x: 0.0
    )
    mets += k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Seconds",
        start,
        now,
        60,
        lambda x: float(max([int((x - e).total_seconds()) for e, _, g in age_at if e <= x < g] or [0])),
    )
    first_dlq = min([m for m, _ in to_dlq if m < now], default=None)
    if first_dlq is not None:
        mets += k.series(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            dq,
            "Count",
            minute(first_dlq) + timedelta(minutes=1),
            now,
            60,
            lambda x: float(sum(1 for m, _ in to_dlq if m < x)),
        )
        mets += k.series(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            dq,
            "Seconds",
            minute(first_dlq) + timedelta(minutes=1),
            now,
            60,
            lambda x: float(max([int((x - e).total_seconds()) for m, e in to_dlq if m < x] or [0])),
        )
    mets += k.series(
        "AWS/DynamoDB",
        "ConditionalCheckFailedRequests",
        {"TableName": "export-jobs"},
        "Count",
        start,
        now,
        60,
        lambda x: ccf.get(x) or (1.0 if rng.random() < 0.01 else None),
    )
    mets += k.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "export-jobs"},
        "Count",
        start,
        now,
        60,
        lambda x: (sent.get(x, 0.0) * 2 + deleted.get(x, 0.0) * 2 + ccf.get(x, 0.0)) or None,
    )
    mets += k.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": "export-jobs"},
        "Count",
        start,
        now,
        60,
        lambda x: 2.0 + rng.random() * 3 if x.minute % 5 == 0 else None,
    )
    svc = {"ClusterName": "batch-prod", "ServiceName": "export-worker"}
    mets += k.series(
        "AWS/ECS",
        "CPUUtilization",
        svc,
        "Percent",
        start,
        now,
        60,
        lambda x: min(95.0, 4 + 9 * sum(1 for a, b in inflight if a <= x < b) + rng.random() * 3),
    )
    mets += k.series(
        "AWS/ECS", "MemoryUtilization", svc, "Percent", start, now, 60, lambda x: 31 + rng.random() * 6
    )
    fd = {"FunctionName": "export-dispatcher"}
    mets += k.series("AWS/Lambda", "Invocations", fd, "Count", start, now, 300, lambda x: 1.0)
    mets += k.series("AWS/Lambda", "Errors", fd, "Count", start, now, 300, lambda x: 0.0)
    mets += k.series(
        "AWS/Lambda", "Duration", fd, "Milliseconds", start, now, 300, lambda x: 210 + rng.random() * 140
    )
    # the thumbnail queue: a burst from a bulk upload earlier in the afternoon
    burst0 = change - timedelta(minutes=rng.randint(75, 100))
    td = {"QueueName": "thumbnail-jobs"}

    def thumb(x: datetime) -> float:
        m = (x - burst0).total_seconds() / 60
        if 0 <= m < 30:
            return float(int(2600 * (1 - m / 30) + rng.randint(0, 40)))
        return float(rng.randint(0, 30))

    mets += k.series("AWS/SQS", "ApproximateNumberOfMessagesVisible", td, "Count", start, now, 60, thumb)
    mets += k.series(
        "AWS/SQS",
        "NumberOfMessagesSent",
        td,
        "Count",
        start,
        now,
        60,
        lambda x: float(rng.randint(20, 60) + (2600 if minute(burst0) == x else 0)),
    )
    wd = {"QueueName": "webhook-fanout"}
    mets += k.series(
        "AWS/SQS", "NumberOfMessagesSent", wd, "Count", start, now, 60, lambda x: float(rng.randint(80, 160))
    )
    mets += k.series(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        wd,
        "Seconds",
        start,
        now,
        60,
        lambda x: float(rng.randint(0, 3)),
    )

    # --- alarms -----------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:batch-oncall"
    created = d - timedelta(days=rng.randint(200, 400))
    dlq_alarm_t = minute(first_dlq) + timedelta(minutes=2, seconds=rng.randint(5, 40)) if first_dlq else now
    dlq_count = float(sum(1 for m, _ in to_dlq if m < minute(dlq_alarm_t) - timedelta(minutes=1)))
    a_dlq = k.alarm(
        account,
        region,
        "export-jobs-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dq,
        stat="Maximum",
        period=60,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        state="ALARM",
        reason="",
        state_time=dlq_alarm_t,
        config_time=created,
        description="Messages in export-jobs DLQ. Runbook: wiki/BATCH/export-jobs",
        topic=topic,
        treat_missing="notBreaching",
    )
    pts = [(minute(dlq_alarm_t) - timedelta(minutes=1), max(1.0, dlq_count))]
    reason, rdata = k.crossed(a_dlq, pts, "ALARM")
    a_dlq["StateReason"] = reason
    ok_reason = "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching]."
    a_age = k.alarm(
        account,
        region,
        "export-jobs-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        stat="Maximum",
        period=300,
        evals=3,
        threshold=1800,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 3 datapoints were not greater than the threshold (1800.0). The most recent datapoints which crossed the threshold: [].",
        state_time=created + timedelta(days=3),
        config_time=created,
        description="export jobs waiting > 30 min",
        topic=topic,
    )
    a_thumb = k.alarm(
        account,
        region,
        "thumbnail-jobs-backlog",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        td,
        stat="Maximum",
        period=300,
        evals=2,
        threshold=1000,
        op="GreaterThanThreshold",
        state="OK",
        reason="",
        state_time=burst0 + timedelta(minutes=26),
        config_time=created,
        description="thumbnail backlog",
        topic=f"arn:aws:sns:{region}:{account}:media-alerts",
    )
    b1 = minute(burst0)
    r_up, d_up = k.crossed(a_thumb, [(b1, thumb(b1)), (b1 + timedelta(minutes=5), 2150.0)], "ALARM")
    r_dn, d_dn = k.crossed(a_thumb, [(b1 + timedelta(minutes=20), 640.0)], "OK")
    a_thumb["StateReason"] = r_dn
    a_cpu = k.alarm(
        account,
        region,
        "export-dispatcher-errors",
        "AWS/Lambda",
        "Errors",
        fd,
        stat="Sum",
        period=300,
        evals=1,
        threshold=0,
        op="GreaterThanThreshold",
        state="OK",
        reason="Threshold Crossed: 1 datapoint [0.0 (01/01/26 00:00:00)] was not greater than the threshold (0.0).",
        state_time=created + timedelta(days=40),
        config_time=created,
        description="dispatcher failing",
        topic=topic,
        treat_missing="notBreaching",
    )
    alarms = [a_dlq, a_age, a_thumb, a_cpu]
    hist = [
        k.history(a_thumb, b1 + timedelta(minutes=11, seconds=12), "OK", "ALARM", r_up, d_up),
        k.history(a_thumb, burst0 + timedelta(minutes=26), "ALARM", "OK", r_dn, d_dn),
    ]
    if first_dlq:
        hist.append(k.history(a_dlq, dlq_alarm_t, "OK", "ALARM", reason, rdata, ok_reason))
    event = k.alarm_event(
        ids, a_dlq, dlq_alarm_t, reason, rdata, "OK", created + timedelta(days=9), ok_reason
    )

    # --- CloudTrail -------------------------------------------------------------------------------
    tf = trail.who("terraform-apply", "gha-infra-" + ids.hex(8))
    gha = trail.who("github-actions-deploy", "GitHubActions")
    tf_agent = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64 api/sqs#1.36.3"
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/export-worker:{rev}"
    trail.add(
        deploy - timedelta(seconds=40),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        gha,
        {
            "family": "export-worker",
            "cpu": "1024",
            "memory": "2048",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": "export-worker",
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/export-worker:2.{rev}.0",
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td_arn,
                "family": "export-worker",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        agent="aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ecs#3.682.0",
    )
    trail.add(
        deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        gha,
        {
            "cluster": "batch-prod",
            "service": "export-worker",
            "taskDefinition": f"export-worker:{rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "export-worker",
                "taskDefinition": td_arn,
                "desiredCount": 4,
                "status": "ACTIVE",
            }
        },
        agent="aws-sdk-js/3.682.0 ua/2.1 os/linux#6.5.0-1025-azure lang/js md/nodejs#20.18.0 api/ecs#3.682.0",
    )
    for s in (20, 30):
        trail.add(
            deploy + timedelta(seconds=s * 6),
            "ecs.amazonaws.com",
            "DescribeServices",
            gha,
            {"cluster": "batch-prod", "services": ["export-worker"], "include": []},
            None,
            read_only=True,
        )
    for i, qn in enumerate(["webhook-fanout", "thumbnail-jobs", "export-jobs"]):
        trail.add(
            change - timedelta(seconds=60 - i * 3),
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            tf,
            {"queueUrl": q_url + qn, "attributeNames": ["All"]},
            None,
            read_only=True,
            agent=tf_agent,
            ip="20.61.4.130",
        )
        trail.add(
            change - timedelta(seconds=58 - i * 3),
            "sqs.amazonaws.com",
            "ListQueueTags",
            tf,
            {"queueUrl": q_url + qn},
            None,
            read_only=True,
            agent=tf_agent,
            ip="20.61.4.130",
        )
    culprit = None
    for i, (qn, dl) in enumerate(
        [
            ("webhook-fanout", "webhook-fanout-dlq"),
            ("thumbnail-jobs", "thumbnail-jobs-dlq"),
            ("export-jobs", "export-jobs-dlq"),
        ]
    ):
        attrs = {
            "DelaySeconds": "0",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "345600",
            "ReceiveMessageWaitTimeSeconds": "20",
            "VisibilityTimeout": str(vis_new),
            "SqsManagedSseEnabled": "true",
            "RedrivePolicy": f'{{"deadLetterTargetArn":"arn:aws:sqs:{region}:{account}:{dl}","maxReceiveCount":5}}',
        }
        rec = trail.add(
            change - timedelta(seconds=4 - i * 2),
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            tf,
            {"queueUrl": q_url + qn, "attributes": attrs},
            None,
            agent=tf_agent,
            ip="20.61.4.130",
        )
        trail.add(
            change - timedelta(seconds=3 - i * 2),
            "sqs.amazonaws.com",
            "TagQueue",
            tf,
            {"queueUrl": q_url + qn, "tags": {"module": "platform/sqs-queue", "module_version": "3.0.1"}},
            None,
            agent=tf_agent,
            ip="20.61.4.130",
        )
        culprit = rec
    assert culprit is not None
    # innocent config edit on another function later on
    dev = trail.who("AWSReservedSSO_DeveloperAccess_5e1f0c2b9a7d3e44", "priya.nair@" + "example-co.com")
    trail.add(
        change + timedelta(minutes=rng.randint(12, 25)),
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        {"functionName": "invoice-pdf-render", "memorySize": 1024},
        {
            "functionName": "invoice-pdf-render",
            "memorySize": 1024,
            "timeout": 120,
            "runtime": "python3.12",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        agent="console.amazonaws.com",
        ip="81.141.22.9",
    )
    trail.add(
        change + timedelta(minutes=rng.randint(30, 50)),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        dev,
        {"queueUrl": q_url + "export-jobs-dlq", "attributeNames": ["All"]},
        None,
        read_only=True,
        agent="console.amazonaws.com",
        ip="81.141.22.9",
    )
    trail.poll_noise(
        rng,
        start,
        now,
        [
            ("cloudwatch.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
            ("sqs.amazonaws.com", "ListQueues", None),
            ("ecs.amazonaws.com", "ListClusters", None),
            ("lambda.amazonaws.com", "ListFunctions20150331", None),
            ("dynamodb.amazonaws.com", "ListTables", None),
            ("tag.amazonaws.com", "GetResources", {"resourcesPerPage": 100}),
        ],
        every=420,
    )
    ecs_svc = trail.who("AWSServiceRoleForECS", "ecs-service-scheduler", invoked_by="ecs.amazonaws.com")
    for j in range(4):
        trail.add(
            deploy + timedelta(seconds=50 + j * 3),
            "ec2.amazonaws.com",
            "CreateNetworkInterface",
            ecs_svc,
            {
                "subnetId": subnets[j % 2],
                "groupSet": {"items": [{"groupId": sg}]},
                "description": "arn:aws:ecs:" + region + ":" + account + ":attachment/" + ids.uuid(),
            },
            {
                "networkInterface": {
                    "networkInterfaceId": "eni-" + ids.hex(17),
                    "subnetId": subnets[j % 2],
                    "status": "pending",
                    "interfaceType": "interface",
                }
            },
        )
        trail.add(
            deploy + timedelta(minutes=4, seconds=40 + j * 3),
            "ec2.amazonaws.com",
            "DeleteNetworkInterface",
            ecs_svc,
            {"networkInterfaceId": "eni-" + ids.hex(17)},
            None,
        )

    # --- resources --------------------------------------------------------------------------------
    resources = [
        k.queue(
            account,
            region,
            "export-jobs",
            created,
            change,
            visibility=vis_new,
            in_flight=rng.randint(3, 9),
            dlq="export-jobs-dlq",
            tags={"team": "reporting", "module": "platform/sqs-queue", "module_version": "3.0.1"},
        ),
        k.queue(
            account,
            region,
            "export-jobs-dlq",
            created,
            created,
            visibility=30,
            visible=int(sum(1 for m, _ in to_dlq if m < now)),
            retention=1209600,
            tags={"team": "reporting"},
        ),
        k.queue(
            account,
            region,
            "thumbnail-jobs",
            created,
            change,
            visibility=vis_new,
            visible=rng.randint(0, 20),
            dlq="thumbnail-jobs-dlq",
            tags={"team": "media", "module": "platform/sqs-queue", "module_version": "3.0.1"},
        ),
        k.queue(
            account,
            region,
            "webhook-fanout",
            created,
            change,
            visibility=vis_new,
            dlq="webhook-fanout-dlq",
            tags={"team": "integrations", "module": "platform/sqs-queue", "module_version": "3.0.1"},
        ),
        k.ecs_cluster(account, region, "batch-prod", 11, 4),
        k.ecs_taskdef(
            account,
            region,
            "export-worker",
            rev,
            f"{account}.dkr.ecr.{region}.amazonaws.com/export-worker:2.{rev}.0",
            deploy - timedelta(seconds=40),
            "export-worker-task",
            {
                "QUEUE_URL": q_url + "export-jobs",
                "JOBS_TABLE": "export-jobs",
                "JOB_LEASE_SECONDS": "900",
                "WORKER_CONCURRENCY": "2",
                "LOG_LEVEL": "INFO",
            },
        ),
        k.ecs_service(
            ids,
            account,
            region,
            "batch-prod",
            "export-worker",
            f"export-worker:{rev}",
            4,
            created,
            deploy,
            subnets,
            sg,
            [
                (deploy + timedelta(minutes=4), "(service export-worker) has reached a steady state."),
                (
                    deploy + timedelta(minutes=1),
                    f"(service export-worker) has started 4 tasks: (task {new_tasks[0]}) (task {new_tasks[1]}) (task {new_tasks[2]}) (task {new_tasks[3]}).",
                ),
                (
                    deploy + timedelta(minutes=4, seconds=30),
                    f"(service export-worker) has stopped 4 running tasks: (task {old_tasks[0]}) (task {old_tasks[1]}) (task {old_tasks[2]}) (task {old_tasks[3]}).",
                ),
                (deploy + timedelta(minutes=5), "(service export-worker) deployment ecs-svc completed."),
            ],
        ),
        k.lambda_fn(
            account,
            region,
            "export-dispatcher",
            "export-dispatcher-role",
            created + timedelta(days=60),
            memory=256,
            env={"JOBS_TABLE": "export-jobs", "QUEUE_URL": q_url + "export-jobs"},
        ),
        k.table(
            account, region, "export-jobs", created, [("job_id", "HASH")], rng.randint(80000, 300000), ids
        ),
        k.schedule(
            account,
            region,
            "export-dispatch-every-5m",
            "rate(5 minutes)",
            "UTC",
            f"arn:aws:lambda:{region}:{account}:function:export-dispatcher",
            "export-dispatch-scheduler",
            created,
            created + timedelta(days=60),
            group="batch",
        ),
        k.log_group(account, region, "/ecs/export-worker", created),
        k.log_group(account, region, "/aws/lambda/export-dispatcher", created, 14),
        k.role(ids, account, "export-worker-task", "ecs-tasks.amazonaws.com", created, now, region),
        k.role(ids, account, "terraform-apply", "sts.amazonaws.com", created, change, region),
    ]

    local = (dlq_alarm_t - timedelta(minutes=dlq_alarm_t.minute % 5)).astimezone(zone)
    question = (
        f"export-jobs DLQ alarm went off around {local:%-I:%M%p}".replace("AM", "am").replace("PM", "pm")
        + " and the DLQ keeps growing. Weirdly customers are still getting their exports as far as I can tell. "
        "Did today's export-worker release break something?"
    )
    manifest = {
        "format": "sleuth-bundle/1",
        "title": TITLE,
        "account_id": account,
        "region": region,
        "start": k.iso(start),
        "end": k.iso(end),
        "now": k.iso(now),
        "trigger": {"question": question, "alarm_event": event, "timezone": tz},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": "export-jobs",
                "category": "change",
                "failure_mode": "visibility-timeout-below-processing-time",
                "event_id": culprit["eventID"],
            },
            "also_accept": [q_url + "export-jobs", f"arn:aws:sqs:{region}:{account}:export-jobs"],
            "actions": ["rollback", "reconfigure"],
            "chain": ["export-jobs", "export-worker", "export-jobs-dlq"],
        },
    }
    return k.bundle(
        manifest,
        metrics=mets,
        alarms=alarms,
        alarm_history=hist,
        logs=log_rows,
        cloudtrail=[r for r in trail.sorted() if r["eventTime"] <= k.iso(now)],
        resources=resources,
    )
