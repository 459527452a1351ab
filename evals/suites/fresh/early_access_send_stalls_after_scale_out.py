"""A big campaign send crawls once send-worker scales out; the queue-age alarm pages."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzs import Ctx, background, clock, local_zone, routine_changes, steady_events

NAME = "early-access-send-stalls-after-scale-out"
TITLE = "Early-access campaign send crawling after send-worker scaled out; queue age alarm"
SUMMARY = (
    "Scaled-out send workers opened a new connection per address check to one third-party endpoint "
    "through a single NAT gateway and hit its 55,000-connections-per-destination ceiling."
)

PER_DEST = 55000


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, salt=NAME, onset_hour=(15, 10))
    r = ctx.rng
    enq = ctx.onset - timedelta(minutes=r.randint(13, 16))
    steps = [
        (enq + timedelta(minutes=3), 24),
        (enq + timedelta(minutes=9), 36),
        (enq + timedelta(minutes=14), 48),
    ]
    per_task_conns = r.randint(1440, 1510)
    vendor = r.choice(["api.mailverify.io", "api.verifly.net", "v2.checkmail-api.com"])
    ctx.platform(worker_desired=48)
    steady_events(ctx, "feedback-processor")
    steady_events(ctx, "list-import")
    rid = f"service/{ctx.cluster}/send-worker"
    ctx.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 8,
            "MaxCapacity": 48,
            "RoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": "2025-02-11T10:02:13Z",
        },
    )

    def tasks(t: datetime) -> int:
        n = 8
        for at, count in steps:
            if t >= at:
                n = count
        return n

    prev = 8
    for at, count in steps:
        ctx.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": ctx.uid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": rid,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {count}.",
                    "Cause": "monitor alarm send-worker-queue-depth-high in state ALARM triggered policy send-worker-step-scale-out",
                    "StartTime": (at - timedelta(seconds=20)).isoformat(),
                    "EndTime": (at + timedelta(seconds=40)).isoformat(),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {count}. Change successfully fulfilled by ecs.",
                },
            }
        )
        ctx.ecs_event(
            "send-worker",
            at + timedelta(seconds=25),
            f"(service send-worker) has started {count - prev} tasks: "
            + " ".join(f"(task {ctx.task_id()})" for _ in range(min(count - prev, 10)))
            + ".",
        )
        prev = count

    # --- simulation ----------------------------------------------------------------------------------
    rows: dict[datetime, dict[str, float]] = {}
    vis, nvis, dlq = 0.0, 0.0, 0.0
    burst = r.randint(52000, 64000)
    t = ctx.start
    while t <= ctx.now:
        inflow = 70 * ctx.diurnal(t) * ctx.noise(1, 0.12)
        if enq <= t < enq + timedelta(minutes=10):
            inflow += burst / 10
        n = tasks(t)
        want = n * per_task_conns * min(1.0, (vis + 50) / 400) + ctx.noise(300, 0.3)
        saturated = want > PER_DEST
        vendor_conns = min(want, PER_DEST * ctx.noise(0.995, 0.004))
        fail = (1 - PER_DEST / want) * 2.0 if saturated else 0.0
        fail = min(0.85, fail + (0.05 if saturated else 0))
        work = min(vis, n * 27 * ctx.noise(1, 0.05))
        done = work * (1 - fail)
        dlq_in = work * fail * 0.2 if saturated and t > ctx.onset + timedelta(minutes=12) else 0.0
        vis = max(0.0, vis + inflow - done - dlq_in)
        nvis = work * 0.2 + (work * fail * 5 if saturated else 0)
        dlq += dlq_in
        attempts = n * per_task_conns / 60 * (1 + fail) * min(1.0, (vis + 50) / 400) + ctx.noise(12, 0.2)
        rows[t] = {
            "sent": inflow,
            "recv": work,
            "del": done,
            "vis": vis,
            "nvis": nvis,
            "age": 4 + (t - enq).total_seconds() * 0.95
            if t >= enq + timedelta(minutes=1) and vis > 500
            else ctx.noise(4, 0.3),
            "dlq": dlq,
            "ses": done * 50 * ctx.noise(1, 0.03),
            "cpu": min(92.0, 8 + 55 * work / max(1, n * 27)) * ctx.noise(1, 0.06),
            "active": vendor_conns + ctx.noise(1400, 0.2) * ctx.diurnal(t),
            "attempt": attempts * 60,
            "est": (attempts * (1 - fail) if saturated else attempts) * 60 * ctx.noise(0.999, 0.001),
            "errport": attempts * 60 * fail if saturated else 0.0,
            "drops": attempts * fail * 3.1 if saturated else ctx.noise(2, 0.9),
            "bytes": (4.0e7 * ctx.diurnal(t) + done * 2.6e5) * ctx.noise(1, 0.05),
        }
        t += timedelta(minutes=1)

    q = {"QueueName": ctx.queue}
    for metric, key, unit in (
        ("NumberOfMessagesSent", "sent", "Count"),
        ("NumberOfMessagesReceived", "recv", "Count"),
        ("NumberOfMessagesDeleted", "del", "Count"),
        ("ApproximateNumberOfMessagesVisible", "vis", "Count"),
        ("ApproximateNumberOfMessagesNotVisible", "nvis", "Count"),
        ("ApproximateAgeOfOldestMessage", "age", "Seconds"),
    ):
        ctx.series("AWS/SQS", metric, q, unit, lambda t, key=key: float(int(rows[t][key])))
    dq = {"QueueName": ctx.dlq}
    first_dlq = ctx.onset + timedelta(minutes=13)
    ctx.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dq,
        "Count",
        lambda t: float(int(rows[t]["dlq"])) if t >= first_dlq else None,
    )
    nat = {"NatGatewayId": ctx.nat}
    for metric, key in (
        ("ActiveConnectionCount", "active"),
        ("ConnectionAttemptCount", "attempt"),
        ("ConnectionEstablishedCount", "est"),
        ("ErrorPortAllocation", "errport"),
        ("PacketsDropCount", "drops"),
    ):
        ctx.series("AWS/NATGateway", metric, nat, "Count", lambda t, key=key: float(int(rows[t][key])))
    ctx.series("AWS/NATGateway", "BytesOutToDestination", nat, "Bytes", lambda t: rows[t]["bytes"])
    ctx.series("AWS/NATGateway", "BytesInFromDestination", nat, "Bytes", lambda t: rows[t]["bytes"] * 0.31)
    ctx.series("AWS/NATGateway", "IdleTimeoutCount", nat, "Count", lambda t: float(int(ctx.noise(35, 0.4))))
    ctx.series("AWS/SES", "Send", {}, "Count", lambda t: float(int(rows[t]["ses"])))
    ctx.series("AWS/SES", "Delivery", {}, "Count", lambda t: float(int(rows[t]["ses"] * 0.984)))
    ctx.series("AWS/SES", "Bounce", {}, "Count", lambda t: float(int(rows[t]["ses"] * 0.008)))
    svc = {"ClusterName": ctx.cluster, "ServiceName": "send-worker"}
    ctx.series("AWS/ECS", "CPUUtilization", svc, "Percent", lambda t: rows[t]["cpu"])
    ctx.series("AWS/ECS", "MemoryUtilization", svc, "Percent", lambda t: ctx.noise(38, 0.05))
    background(ctx, load=lambda t: ctx.diurnal(t) * (1.6 if t >= enq else 1.0), skip={"nat"})

    # --- alarms --------------------------------------------------------------------------------------
    age_at = ctx.onset + timedelta(minutes=r.randint(16, 22))
    age_alarm = ctx.alarm(
        "campaign-send-oldest-message-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        q,
        stat="Maximum",
        threshold=1800.0,
        period=300,
        evals=3,
        desc="Oldest campaign send job older than 30 minutes: campaigns are going out late.",
        transitions=[
            (
                age_at,
                "ALARM",
                f"Threshold Crossed: 3 out of the last 3 datapoints [{rows[age_at.replace(second=0) - timedelta(minutes=1)]['age']:.1f} ({age_at - timedelta(minutes=5):%d/%m/%y %H:%M:%S}), {rows[age_at.replace(second=0) - timedelta(minutes=6)]['age']:.1f} ({age_at - timedelta(minutes=10):%d/%m/%y %H:%M:%S}), {rows[age_at.replace(second=0) - timedelta(minutes=11)]['age']:.1f} ({age_at - timedelta(minutes=15):%d/%m/%y %H:%M:%S})] were greater than the threshold (1800.0) (minimum 3 datapoints for OK -> ALARM transition).",
            )
        ],
    )
    ctx.alarm(
        "send-worker-queue-depth-high",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        q,
        stat="Maximum",
        threshold=2000.0,
        period=60,
        evals=2,
        desc="Step scaling for send-worker. Do not page.",
        transitions=[
            (
                enq + timedelta(minutes=2),
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints [14820.0, 6210.0] were greater than the threshold (2000.0) (minimum 2 datapoints for OK -> ALARM transition).",
            )
        ],
    ).update(
        {
            "OKActions": [],
            "AlarmActions": [
                ctx.arn(
                    "autoscaling",
                    f"scalingPolicy:{ctx.uid()}:resource/ecs/{rid}:policyName/send-worker-step-scale-out",
                )
            ],
        }
    )
    ctx.alarm(
        "campaign-send-dlq-not-empty",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        dq,
        stat="Maximum",
        threshold=0.0,
        period=300,
        evals=1,
        missing="notBreaching",
        transitions=[
            (
                first_dlq + timedelta(minutes=3),
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [212.0] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).",
            )
        ]
        if first_dlq + timedelta(minutes=3) < ctx.now
        else None,
    )
    flap = ctx.start + timedelta(minutes=r.randint(20, 100))
    ctx.alarm(
        "feedback-processor-errors",
        "Mailer/Feedback",
        "ProcessingErrors",
        {"Service": "feedback-processor"},
        stat="Sum",
        threshold=20.0,
        period=300,
        evals=1,
        transitions=[
            (
                flap,
                "ALARM",
                "Threshold Crossed: 1 out of the last 1 datapoints [23.0] was greater than the threshold (20.0) (minimum 1 datapoint for OK -> ALARM transition).",
            ),
            (
                flap + timedelta(minutes=10),
                "OK",
                "Threshold Crossed: 1 out of the last 1 datapoints [4.0] was not greater than the threshold (20.0) (minimum 1 datapoint for ALARM -> OK transition).",
            ),
        ],
    )
    ctx.series(
        "Mailer/Feedback",
        "ProcessingErrors",
        {"Service": "feedback-processor"},
        "Count",
        lambda t: float(int(ctx.noise(2, 0.9))) + (21.0 if flap - timedelta(minutes=5) <= t < flap else 0.0),
        period=300,
    )
    ctx.alarm(
        "aurora-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_instances[0]},
        stat="Average",
        threshold=75.0,
        period=300,
        evals=2,
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ctx.noise_trail(n=40)
    routine_changes(
        ctx,
        [ctx.start + timedelta(minutes=r.randint(30, 80)), ctx.onset - timedelta(minutes=r.randint(40, 70))],
    )
    deployer = ctx.role("github-actions-deploy", "GitHubActions")
    gha = "aws-sdk-js/3.556.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/ecs#3.556.0"
    dep = ctx.onset - timedelta(minutes=r.randint(95, 130))
    ctx.trail(
        dep,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        deployer,
        {
            "family": "send-worker",
            "containerDefinitions": [
                {
                    "name": "send-worker",
                    "image": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/send-worker:{ctx.hex(7)}",
                    "essential": True,
                }
            ],
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": ctx.arn("ecs", f"task-definition/send-worker:{ctx.worker_rev}"),
                "family": "send-worker",
                "revision": ctx.worker_rev,
                "status": "ACTIVE",
            }
        },
        agent=gha,
    )
    ctx.trail(
        dep + timedelta(seconds=20),
        "ecs.amazonaws.com",
        "UpdateService",
        deployer,
        {
            "cluster": ctx.cluster,
            "service": "send-worker",
            "taskDefinition": f"send-worker:{ctx.worker_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "send-worker",
                "serviceArn": ctx.service_arn("send-worker"),
                "taskDefinition": ctx.arn("ecs", f"task-definition/send-worker:{ctx.worker_rev}"),
                "desiredCount": 8,
                "status": "ACTIVE",
            }
        },
        agent=gha,
    )
    ctx.ecs_event(
        "send-worker", dep + timedelta(minutes=7), "(service send-worker) has reached a steady state."
    )
    for at, count in steps:
        ctx.trail(
            at - timedelta(seconds=15),
            "ecs.amazonaws.com",
            "UpdateService",
            ctx.service_principal("ecs.application-autoscaling.amazonaws.com"),
            {"cluster": ctx.cluster, "service": "send-worker", "desiredCount": count},
            {"service": {"serviceName": "send-worker", "desiredCount": count, "status": "ACTIVE"}},
            ip="ecs.application-autoscaling.amazonaws.com",
        )

    # --- logs ----------------------------------------------------------------------------------------
    streams = [f"ecs/send-worker/{ctx.task_id()}" for _ in range(4)]
    campaign = f"early-access-{ctx.onset:%Y%m%d}"
    t = ctx.start
    while t <= ctx.now:
        row = rows[t]
        fail_share = row["errport"] / row["attempt"] if row["attempt"] else 0.0
        for s in streams:
            for _ in range(2 if t >= enq else 1):
                ts = t + timedelta(seconds=r.uniform(0, 59))
                stamp = f"{ts:%Y-%m-%d %H:%M:%S},{ts.microsecond // 1000:03d}"
                if r.random() < fail_share:
                    obj = "0x7f" + ctx.hex(8)
                    ctx.log(
                        "/ecs/send-worker",
                        s,
                        ts,
                        f"{stamp} ERROR sender.job job={ctx.hex(8)} failed, leaving message for retry\nTraceback (most recent call last):\n  File \"/app/sender/verify.py\", line 41, in check\n    resp = requests.post(VERIFY_URL, json=payload, timeout=(5, 10))\nrequests.exceptions.ConnectTimeout: HTTPSConnectionPool(host='{vendor}', port=443): Max retries exceeded with url: /v1/verify (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at {obj}>, 'Connection to {vendor} timed out. (connect timeout=5)'))",
                    )
                elif r.random() < 0.6:
                    c = (
                        campaign
                        if t >= enq
                        else f"triggered-{r.choice(['welcome', 'winback', 'abandoned-cart'])}"
                    )
                    ctx.log(
                        "/ecs/send-worker",
                        s,
                        ts,
                        f"{stamp} INFO sender.job campaign={c} job={ctx.hex(8)} recipients=50 verified=50 accepted=50 took={ctx.noise(8.4, 0.2):.2f}s",
                    )
        t += timedelta(minutes=1)
    fb = f"ecs/feedback-processor/{ctx.task_id()}"
    t = ctx.start + timedelta(minutes=2)
    while t <= ctx.now:
        ctx.log(
            "/ecs/feedback-processor",
            fb,
            t,
            f'{{"level":"info","msg":"feedback recorded","type":"{r.choice(["Bounce", "Bounce", "Complaint", "Delivery"])}","configuration_set":"{ctx.config_set}"}}',
        )
        if flap - timedelta(minutes=4) <= t < flap:
            ctx.log(
                "/ecs/feedback-processor",
                fb,
                t + timedelta(seconds=3),
                '{"level":"error","msg":"deadlock found when trying to get lock; try restarting transaction","table":"suppressions","retry":1}',
            )
        t += timedelta(minutes=r.randint(1, 6))

    zone, _ = local_zone(ctx.region)
    question = (
        f"The early-access campaign we queued at {clock(ctx, enq)} is going out painfully slowly, the "
        f"dashboard says barely a fraction has been sent. Autoscaling kicked in and we're at max workers "
        f"but it doesn't seem to help. Is SES throttling us?"
    )
    return ctx.bundle(
        title=TITLE,
        question=question,
        timezone=zone,
        alarm_event=ctx.alarm_event(age_alarm, age_at, age_alarm["StateReason"]),
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": ctx.nat,
                "category": "limit",
                "failure_mode": "nat-gateway-port-allocation-exhausted",
            },
            "also_accept": [f"{ctx.prefix}-nat-{ctx.azs[0][-1]}"],
            "actions": ["scale", "reconfigure"],
            "chain": [ctx.nat, vendor, "send-worker", ctx.queue],
        },
    )
