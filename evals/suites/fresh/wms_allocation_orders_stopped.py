"""Pick waves stop: the allocator's SNS subscription no longer matches any order event."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_q import (
    GRAFANA_UA,
    ZONES,
    J,
    Kit,
    at_local,
    boto_ua,
    clock,
    daily,
    ecs_cluster,
    ecs_service,
    iam_role,
    iso,
    lambda_function,
    lambda_report,
    lambda_stream,
    local_hour,
    log_group,
    ms,
    network,
    security_group,
    task_id,
    terraform_ua,
)

NAME = "wms-allocation-orders-stopped"
TITLE = "No new pick waves; the warehouse allocator has gone quiet"
SUMMARY = (
    "A Terraform apply rewrote the allocator queue's SNS subscription filter policy with the wrong "
    "attribute key, so order.created events are filtered out and pick waves stop."
)

DCS = ["DC-ATL-02", "DC-RNO-01"]


def build(seed: int) -> Bundle:
    k = Kit(NAME, seed)
    rng = k.rng
    zone = ZONES[k.region]
    day = k.pick_day()
    onset = at_local(day, rng.uniform(9.6, 14.4), zone).replace(microsecond=0)
    onset = onset.replace(second=rng.randint(3, 57))
    start = (onset - timedelta(hours=6, minutes=rng.randint(0, 40))).replace(second=0)
    start = start - timedelta(minutes=start.minute % 5)
    now = (onset + timedelta(minutes=rng.randint(52, 80))).replace(second=rng.randint(0, 59))
    fine = onset - timedelta(hours=2)
    scale = rng.uniform(0.7, 1.5)

    topic = "order-events"
    topic_arn = k.arn("sns", topic)
    queues = {
        "wms": "wms-allocation-inbound",
        "inv": "invoice-builder-inbound",
        "notify": "customer-notify-inbound",
        "analytics": "order-analytics-raw",
    }
    sub_ids = {key: k.uuid() for key in queues}
    sub_arn = {key: f"{topic_arn}:{sub_ids[key]}" for key in queues}
    q_arn = {key: k.arn("sqs", name) for key, name in queues.items()}
    q_url = {key: f"https://sqs.{k.region}.amazonaws.com/{k.account}/{name}" for key, name in queues.items()}
    dlq = "wms-allocation-inbound-dlq"

    def rates(t: datetime) -> dict[str, float]:
        h = local_hour(t, zone)
        created = daily(h, 2.5, 34.0, peak=13.5) * scale
        return {
            "order.created": created,
            "order.paid": created * 0.96,
            "order.updated": created * 0.31,
            "order.cancelled": created * 0.035,
            "order.shipped": daily(h - 1.5, 1.0, 26.0, peak=14.0) * scale,
        }

    filters = {
        "wms": ["order.created"],
        "inv": ["order.paid", "order.cancelled"],
        "notify": ["order.created", "order.shipped", "order.cancelled"],
        "analytics": None,
    }

    def broken(t: datetime) -> bool:
        return t >= onset

    def noisy(x: float, rel: float = 0.12) -> float:
        return max(0.0, x * (1 + k.jitter(rel)))

    # --- SNS topic (5-minute metrics) ------------------------------------------------------------
    sns_dims = {"TopicName": topic}
    for t, _step in k.grid(start, now, now + timedelta(days=1)):
        r = rates(t)
        per = {ev: noisy(v * 5, 0.1) for ev, v in r.items()}
        total = sum(per.values())
        delivered = filtered = 0.0
        for key, allow in filters.items():
            frac_broken = 0.0
            if t + timedelta(minutes=5) > onset:
                frac_broken = min(1.0, max(0.0, (t + timedelta(minutes=5) - onset).total_seconds() / 300))
            if allow is None:
                delivered += total
                continue
            match = sum(per[e] for e in allow)
            if key == "wms":
                match *= 1 - frac_broken
            delivered += match
            filtered += total - match
        k.put("AWS/SNS", "NumberOfMessagesPublished", sns_dims, t, "Count", round(total))
        k.put("AWS/SNS", "NumberOfNotificationsDelivered", sns_dims, t, "Count", round(delivered))
        k.put("AWS/SNS", "NumberOfNotificationsFilteredOut", sns_dims, t, "Count", round(filtered))
        k.put(
            "AWS/SNS",
            "NumberOfNotificationsFilteredOut-MessageAttributes",
            sns_dims,
            t,
            "Count",
            round(filtered),
        )
        st = k.stats(total, rng.uniform(1180, 1260), 0.15)
        if st:
            k.put("AWS/SNS", "PublishSize", sns_dims, t, "Bytes", st)

    # --- SQS queues (1-minute near the incident) -------------------------------------------------
    for key, name in queues.items():
        qd = {"QueueName": name}
        pollers = {"wms": 12, "inv": 5, "notify": 8, "analytics": 5}[key]
        for t, step in k.grid(start, now, fine):
            r = rates(t)
            allow = filters[key]
            inflow = sum(r.values()) if allow is None else sum(r[e] for e in allow)
            if key == "wms":
                end = t + timedelta(minutes=step)
                if end > onset:
                    inflow *= 1 - min(1.0, (end - onset).total_seconds() / (step * 60))
            sent = round(noisy(inflow * step, 0.15))
            recv = max(0, sent + rng.randint(-2, 2)) if sent else 0
            empty = round(noisy(pollers * 3 * step * math.exp(-inflow / (pollers * 1.3)), 0.2))
            k.put("AWS/SQS", "NumberOfMessagesSent", qd, t, "Count", sent)
            k.put("AWS/SQS", "NumberOfMessagesReceived", qd, t, "Count", recv)
            k.put("AWS/SQS", "NumberOfMessagesDeleted", qd, t, "Count", recv)
            k.put("AWS/SQS", "NumberOfEmptyReceives", qd, t, "Count", empty)
            vis = round(max(0.0, noisy(inflow * 0.08, 0.8))) if sent else 0
            k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", qd, t, "Count", vis)
            k.put(
                "AWS/SQS",
                "ApproximateNumberOfMessagesNotVisible",
                qd,
                t,
                "Count",
                min(sent, rng.randint(0, 9)),
            )
            k.put("AWS/SQS", "ApproximateNumberOfMessagesDelayed", qd, t, "Count", 0)
            age = rng.uniform(1, 14) + (vis * 2.5) if sent else 0
            k.put("AWS/SQS", "ApproximateAgeOfOldestMessage", qd, t, "Seconds", round(age))
            if sent:
                size = rng.uniform(1480, 1620) if key != "analytics" else rng.uniform(640, 720)
                k.put("AWS/SQS", "SentMessageSize", qd, t, "Bytes", k.stats(sent, size, 0.1) or size)
    dq = {"QueueName": dlq}
    for t, _step in k.grid(start, now, fine):
        k.put("AWS/SQS", "ApproximateNumberOfMessagesVisible", dq, t, "Count", 2)
        k.put("AWS/SQS", "NumberOfMessagesSent", dq, t, "Count", 0)
        k.put("AWS/SQS", "ApproximateAgeOfOldestMessage", dq, t, "Seconds", 0)

    # --- ECS services ----------------------------------------------------------------------------
    cluster = "fulfilment-prod"
    svc_load: dict[str, tuple[int, Callable[[datetime], float], float, float]] = {
        "wms-allocator": (3, lambda t: rates(t)["order.created"] * (0 if broken(t) else 1), 0.9, 3.0),
        "customer-notify": (
            2,
            lambda t: rates(t)["order.created"] + rates(t)["order.shipped"],
            0.35,
            2.0,
        ),
        "order-service": (4, lambda t: sum(rates(t).values()), 0.45, 6.0),
    }
    for svc, (tasks, load, per_task, base) in svc_load.items():
        dims = {"ClusterName": cluster, "ServiceName": svc}
        mem_base = rng.uniform(38, 61)
        for t, step in k.grid(start, now, fine):
            cpu = base + load(t) * per_task / tasks
            k.put(
                "AWS/ECS",
                "CPUUtilization",
                dims,
                t,
                "Percent",
                k.stats(tasks * step, noisy(cpu, 0.1), 0.3) or 0,
            )
            mem = mem_base + k.jitter(0.6)
            k.put("AWS/ECS", "MemoryUtilization", dims, t, "Percent", k.stats(tasks * step, mem, 0.04) or 0)

    # --- DynamoDB allocations table --------------------------------------------------------------
    table = "wms-allocations"
    tdims = {"TableName": table}
    for t, step in k.grid(start, now, fine):
        writes = rates(t)["order.created"] * step * 3.4 * (0 if broken(t) else 1)
        if writes > 0.5:
            k.put("AWS/DynamoDB", "ConsumedWriteCapacityUnits", tdims, t, "Count", round(noisy(writes), 1))
            k.put(
                "AWS/DynamoDB",
                "SuccessfulRequestLatency",
                {**tdims, "Operation": "TransactWriteItems"},
                t,
                "Milliseconds",
                k.stats(writes / 3.4, rng.uniform(7.5, 10.5), 0.3) or 8.0,
            )
        reads = rng.uniform(40, 70) * step + (rates(t)["order.created"] * 0.5 * step)
        k.put("AWS/DynamoDB", "ConsumedReadCapacityUnits", tdims, t, "Count", round(noisy(reads), 1))
        k.put(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {**tdims, "Operation": "Query"},
            t,
            "Milliseconds",
            k.stats(step * rng.randint(8, 14), rng.uniform(3.4, 5.0), 0.4) or 4.0,
        )

    # --- logs ------------------------------------------------------------------------------------
    wms_tasks = [task_id(k) for _ in range(3)]
    seq = rng.randint(4_100_000, 4_900_000)
    for t, _step in k.grid(start, now, start):
        if broken(t):
            continue
        n = rates(t)["order.created"]
        for i, task in enumerate(wms_tasks):
            share = n / 3
            got = int(noisy(share, 0.3))
            if got <= 0:
                continue
            seq += got
            when = t + timedelta(seconds=rng.uniform(1, 58))
            split = rng.randint(0, got)
            lines = got * rng.randint(2, 3) + rng.randint(0, 3)
            k.log(
                "/ecs/wms-allocator",
                f"ecs/wms-allocator/{task}",
                when,
                f"{when:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z  INFO 1 --- [wms-allocator] "
                f"[   sqs-poller-{i + 1}] c.k.wms.allocation.AllocationService     : "
                f"Allocated {got} orders ({lines} lines): {DCS[0]}={split} {DCS[1]}={got - split} "
                f"in {rng.randint(180, 900)} ms",
            )
            if rng.random() < 0.015:
                sku = f"{rng.randint(10000, 99999)}-{rng.choice(['BLK', 'NVY', 'OLV', 'RED'])}-{rng.choice('SMLX')}"
                k.log(
                    "/ecs/wms-allocator",
                    f"ecs/wms-allocator/{task}",
                    when + timedelta(milliseconds=40),
                    f"{when:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z  WARN 1 --- [wms-allocator] "
                    f"[   sqs-poller-{i + 1}] c.k.wms.allocation.BinResolver           : "
                    f"SKU {sku} has no pickable bin in {rng.choice(DCS)}; order line deferred to replenishment",
                )
    # a 5-minute poller summary per task (the app's own throughput line, printed even when idle)
    for t, _ in k.grid(start, now, now + timedelta(days=1)):
        end = t + timedelta(minutes=5)
        n_recv = (
            0.0
            if t >= onset
            else rates(t)["order.created"] * 5 * (1 - min(1.0, max(0.0, (end - onset).total_seconds() / 300)))
        )
        for i, task in enumerate(wms_tasks):
            when = end + timedelta(seconds=rng.uniform(0, 3) + i)
            recv = round(noisy(n_recv / 3, 0.2))
            empties = round(12 * 5 / 3 * math.exp(-n_recv / 5 / 16) * rng.uniform(0.8, 1.2))
            k.log(
                "/ecs/wms-allocator",
                f"ecs/wms-allocator/{task}",
                when,
                f"{when:%Y-%m-%dT%H:%M:%S}.{rng.randint(0, 999):03d}Z  INFO 1 --- [wms-allocator] "
                f"[   stats-reporter] c.k.wms.sqs.PollerStats                  : "
                f"queue={queues['wms']} window=5m received={recv} deleted={recv} emptyReceives={empties} "
                f"inFlight=0 errors=0",
            )

    order_tasks = [task_id(k) for _ in range(4)]
    pod_ips = [k.private_ip("10.0." + str(rng.randint(10, 40))) for _ in order_tasks]
    for t, _step in k.grid(fine - timedelta(hours=1), now, start):
        r = rates(t)
        for _ in range(2 if rng.random() < 0.6 else 1):
            ev = rng.choices(list(r), weights=list(r.values()))[0]
            ti = rng.randrange(4)
            when = t + timedelta(seconds=rng.uniform(0, 59))
            line = {
                "level": 30,
                "time": ms(when),
                "pid": 1,
                "hostname": f"ip-{pod_ips[ti].replace('.', '-')}.ec2.internal",
                "component": "order-events-publisher",
                "orderId": f"KO-{rng.randint(4_000_000, 5_999_999)}",
                "eventType": ev,
                "messageAttributes": ["eventType", "channel", "schemaVersion"],
                "topicArn": topic_arn,
                "messageId": k.uuid(),
                "msg": "order event published",
            }
            k.log("/ecs/order-service", f"ecs/order-service/{order_tasks[ti]}", when, json.dumps(line))
        if rng.random() < 0.01:
            ti = rng.randrange(4)
            when = t + timedelta(seconds=rng.uniform(0, 59))
            warn = {
                "level": 40,
                "time": ms(when),
                "pid": 1,
                "hostname": f"ip-{pod_ips[ti].replace('.', '-')}.ec2.internal",
                "component": "payments-client",
                "attempt": 1,
                "msg": "payment capture webhook arrived before order commit; retrying in 500ms",
            }
            k.log("/ecs/order-service", f"ecs/order-service/{order_tasks[ti]}", when, json.dumps(warn))

    # pick-wave-builder: a scheduled Lambda (every 10 minutes) releasing waves from allocations
    wave_group = "/aws/lambda/pick-wave-builder"
    stream = lambda_stream(k, start)
    t = start + timedelta(minutes=(10 - start.minute % 10) % 10, seconds=rng.randint(1, 4))
    error_at = start + timedelta(minutes=rng.randint(40, 90))
    error_run = None
    while t < now:
        if rng.random() < 0.08:
            stream = lambda_stream(k, t)
        rid = k.uuid()
        k.log(wave_group, stream, t, f"START RequestId: {rid} Version: $LATEST")
        window_start = t - timedelta(minutes=10)
        if error_run is None and t >= error_at:
            error_run = t
            k.log(
                wave_group,
                stream,
                t + timedelta(seconds=30, milliseconds=20),
                f"{iso(t + timedelta(seconds=30))[:-1]}.021Z {rid} Task timed out after 30.03 seconds",
            )
            lambda_report(k, wave_group, stream, t, rid, 30030.0, 512, rng.randint(150, 180))
            invocation = (t, 30030.0, True)
        else:
            # allocations made in the window before this run
            cut = max(window_start, min(onset, t))
            mins = max(0.0, (cut - window_start).total_seconds() / 60)
            total_dur = 0.0
            for dc in DCS:
                n_alloc = round(
                    noisy(rates(t)["order.created"] * mins * (0.58 if dc == DCS[0] else 0.42), 0.15)
                )
                when = t + timedelta(milliseconds=rng.randint(300, 900) + total_dur)
                if n_alloc:
                    lines = n_alloc * rng.randint(2, 3)
                    wave = f"W-{t:%Y%m%d-%H%M}-{dc[3:6]}{dc[-2:]}"
                    k.log(
                        wave_group,
                        stream,
                        when,
                        f"[INFO]\t{iso(when)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\t"
                        f"{dc}: {n_alloc} unwaved allocations ({lines} lines) since {window_start:%H:%M:%S}Z",
                    )
                    k.log(
                        wave_group,
                        stream,
                        when + timedelta(milliseconds=rng.randint(400, 1400)),
                        f"[INFO]\t{iso(when)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\t"
                        f"Released wave {wave} to {dc} with {lines} lines across {n_alloc} orders",
                    )
                    total_dur += rng.uniform(600, 1400) + lines * 4
                else:
                    k.log(
                        wave_group,
                        stream,
                        when,
                        f"[INFO]\t{iso(when)[:-1]}.{rng.randint(0, 999):03d}Z\t{rid}\t"
                        f"{dc}: no unwaved allocations since {window_start:%H:%M:%S}Z; no wave released",
                    )
                    total_dur += rng.uniform(120, 260)
            dur = total_dur + rng.uniform(200, 400)
            lambda_report(k, wave_group, stream, t, rid, dur, 512, rng.randint(118, 146))
            invocation = (t, dur, False)
        fdims = {"FunctionName": "pick-wave-builder"}
        it = invocation[0].replace(second=0)
        k.put("AWS/Lambda", "Invocations", fdims, it, "Count", 1)
        k.put("AWS/Lambda", "Errors", fdims, it, "Count", 1 if invocation[2] else 0)
        k.put("AWS/Lambda", "Duration", fdims, it, "Milliseconds", round(invocation[1], 2))
        t += timedelta(minutes=10)
        if rng.random() < 0.05:
            role_arn = f"arn:aws:iam::{k.account}:role/pick-wave-builder-role"
            k.assume_role_by(t - timedelta(seconds=1), "lambda.amazonaws.com", role_arn, "pick-wave-builder")

    # invoice-builder: SQS-triggered Lambda on the invoice queue
    inv_dims = {"FunctionName": "invoice-builder"}
    for t, step in k.grid(start, now, fine):
        r = rates(t)
        n = (r["order.paid"] + r["order.cancelled"]) * step
        batches = max(1, round(noisy(n / 3.2, 0.15)))
        k.put("AWS/Lambda", "Invocations", inv_dims, t, "Count", batches)
        k.put("AWS/Lambda", "Errors", inv_dims, t, "Count", 0)
        k.put(
            "AWS/Lambda",
            "Duration",
            inv_dims,
            t,
            "Milliseconds",
            k.stats(batches, rng.uniform(420, 610), 0.4) or 500,
        )
        k.put(
            "AWS/Lambda",
            "ConcurrentExecutions",
            inv_dims,
            t,
            "Count",
            k.stats(step, max(1.0, n / 60 * 0.6), 0.3) or 1,
        )

    # --- resources -------------------------------------------------------------------------------
    net = network(k, "fulfilment-prod")
    sg_alloc = security_group(k, net, "wms-allocator-tasks", "wms-allocator Fargate tasks", [])
    sg_notify = security_group(k, net, "customer-notify-tasks", "customer-notify Fargate tasks", [])
    sg_orders = security_group(k, net, "order-service-tasks", "order-service Fargate tasks", [])
    created = start - timedelta(days=rng.randint(200, 600))
    tf_role_arn = f"arn:aws:iam::{k.account}:role/github-actions-terraform"
    k.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": k.account,
                "DisplayName": "",
                "SubscriptionsConfirmed": "4",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "Policy": json.dumps(
                    {
                        "Version": "2008-10-17",
                        "Id": "__default_policy_ID",
                        "Statement": [
                            {
                                "Sid": "__default_statement_ID",
                                "Effect": "Allow",
                                "Principal": {"AWS": "*"},
                                "Action": ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes"],
                                "Resource": topic_arn,
                                "Condition": {"StringEquals": {"AWS:SourceOwner": k.account}},
                            }
                        ],
                    }
                ),
                "EffectiveDeliveryPolicy": json.dumps(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                                "numMaxDelayRetries": 0,
                                "numNoDelayRetries": 0,
                                "numMinDelayRetries": 0,
                                "backoffFunction": "linear",
                            },
                            "disableSubscriptionOverrides": False,
                            "defaultRequestPolicy": {"headerContentType": "text/plain; charset=UTF-8"},
                        }
                    }
                ),
                "FifoTopic": "false",
            },
        },
    )
    culprit_policy = {"event_type": ["order.created", "order.backordered"]}
    notify_new = {"eventType": ["order.created", "order.shipped", "order.cancelled", "order.backordered"]}
    sub_policies: dict[str, J | None] = {
        "wms": culprit_policy,
        "inv": {"eventType": ["order.paid", "order.cancelled"]},
        "notify": notify_new,
        "analytics": None,
    }
    for key in queues:
        attrs = {
            "SubscriptionArn": sub_arn[key],
            "TopicArn": topic_arn,
            "Owner": k.account,
            "Protocol": "sqs",
            "Endpoint": q_arn[key],
            "ConfirmationWasAuthenticated": "true",
            "PendingConfirmation": "false",
            "RawMessageDelivery": "true" if key == "analytics" else "false",
            "SubscriptionPrincipal": tf_role_arn,
        }
        pol = sub_policies[key]
        if pol is not None:
            attrs["FilterPolicy"] = json.dumps(pol)
            attrs["FilterPolicyScope"] = "MessageAttributes"
        k.res(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": sub_arn[key],
                "TopicArn": topic_arn,
                "Protocol": "sqs",
                "Endpoint": q_arn[key],
                "Owner": k.account,
                "Attributes": attrs,
            },
        )
    for key in queues:
        attrs = {
            "QueueArn": q_arn[key],
            "ApproximateNumberOfMessages": "0",
            "ApproximateNumberOfMessagesNotVisible": "0" if key == "wms" else str(rng.randint(0, 6)),
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp()) + rng.randint(0, 9999)),
            "LastModifiedTimestamp": str(int((created + timedelta(days=rng.randint(20, 150))).timestamp())),
            "VisibilityTimeout": "120" if key != "inv" else "180",
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "1209600" if key == "wms" else "345600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
            "Policy": json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "AllowOrderEvents",
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": q_arn[key],
                            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                        }
                    ],
                }
            ),
        }
        if key == "wms":
            attrs["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": k.arn("sqs", dlq), "maxReceiveCount": 5}
            )
        k.res(
            "sqs",
            "Queue",
            {
                "QueueUrl": q_url[key],
                "Attributes": attrs,
                "Tags": {"team": "fulfilment", "managed-by": "terraform"},
            },
        )
    k.res(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{k.region}.amazonaws.com/{k.account}/{dlq}",
            "Attributes": {
                "QueueArn": k.arn("sqs", dlq),
                "ApproximateNumberOfMessages": "2",
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
                "RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"}),
            },
            "Tags": {"team": "fulfilment", "managed-by": "terraform"},
        },
    )
    ecs_cluster(k, cluster, 9, 3)
    deploy_old = start - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 8))
    ecs_service(
        k,
        cluster,
        "wms-allocator",
        "wms-allocator",
        rng.randint(140, 220),
        3,
        net,
        sg_alloc,
        created,
        deploy_old,
    )
    ecs_service(
        k,
        cluster,
        "customer-notify",
        "customer-notify",
        rng.randint(60, 120),
        2,
        net,
        sg_notify,
        created,
        deploy_old - timedelta(days=3),
    )
    ecs_service(
        k,
        cluster,
        "order-service",
        "order-service",
        rng.randint(300, 420),
        4,
        net,
        sg_orders,
        created,
        deploy_old - timedelta(days=1),
    )
    lambda_function(
        k,
        "pick-wave-builder",
        "python3.12",
        "wave_builder.handler.run",
        "pick-wave-builder-role",
        deploy_old - timedelta(days=10),
        env={"ALLOCATIONS_TABLE": table, "DISTRIBUTION_CENTRES": ",".join(DCS), "WAVE_WINDOW_MINUTES": "10"},
        description="Releases pick waves to the DCs from unwaved allocations (EventBridge rate(10 minutes))",
    )
    lambda_function(
        k,
        "invoice-builder",
        "python3.12",
        "invoices.sqs_handler.handle",
        "invoice-builder-role",
        deploy_old - timedelta(days=4),
        memory=1024,
        timeout=60,
        env={"INVOICE_BUCKET": f"kestrel-invoices-{k.account}-{k.region}"},
    )
    k.res(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": k.uuid(),
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": q_arn["inv"],
            "FunctionArn": k.arn("lambda", "function:invoice-builder"),
            "LastModified": iso(created),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
        },
    )
    k.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "waveStatus", "AttributeType": "S"},
                {"AttributeName": "allocatedAt", "AttributeType": "S"},
            ],
            "TableName": table,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(2 * 10**9, 9 * 10**9),
            "ItemCount": rng.randint(4 * 10**6, 9 * 10**6),
            "TableArn": k.arn("dynamodb", f"table/{table}"),
            "TableId": k.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created),
            },
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-wave-status",
                    "KeySchema": [
                        {"AttributeName": "waveStatus", "KeyType": "HASH"},
                        {"AttributeName": "allocatedAt", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                    "IndexStatus": "ACTIVE",
                    "ProvisionedThroughput": {
                        "NumberOfDecreasesToday": 0,
                        "ReadCapacityUnits": 0,
                        "WriteCapacityUnits": 0,
                    },
                    "IndexSizeBytes": rng.randint(10**8, 10**9),
                    "ItemCount": rng.randint(10**4, 10**5),
                    "IndexArn": k.arn("dynamodb", f"table/{table}/index/by-wave-status"),
                }
            ],
            "DeletionProtectionEnabled": True,
        },
    )
    iam_role(
        k, "wms-allocator-task", "ecs-tasks.amazonaws.com", created, description="wms-allocator task role"
    )
    iam_role(k, "pick-wave-builder-role", "lambda.amazonaws.com", created)
    for g in [
        "/ecs/wms-allocator",
        "/ecs/order-service",
        "/ecs/customer-notify",
        wave_group,
        "/aws/lambda/invoice-builder",
    ]:
        log_group(k, g, created)

    # --- alarms ----------------------------------------------------------------------------------
    ops = k.arn("sns", "fulfilment-oncall")
    common: J = {"history_from": start, "updated": created + timedelta(days=rng.randint(1, 100))}
    k.alarm(
        "wms-allocation-inbound-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": queues["wms"]},
        "Maximum",
        300,
        3,
        900,
        "GreaterThanThreshold",
        actions=[ops],
        description="Allocator is falling behind: messages older than 15 minutes",
        **common,
    )
    k.alarm(
        "wms-allocation-dlq-depth",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": dlq},
        "Maximum",
        300,
        1,
        10,
        "GreaterThanThreshold",
        actions=[ops],
        description="More than 10 allocation messages dead-lettered",
        **common,
    )
    k.alarm(
        "order-events-delivery-failures",
        "AWS/SNS",
        "NumberOfNotificationsFailed",
        {"TopicName": topic},
        "Sum",
        300,
        1,
        0,
        "GreaterThanThreshold",
        missing="notBreaching",
        actions=[ops],
        **common,
    )
    k.alarm(
        "pick-wave-builder-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "pick-wave-builder"},
        "Sum",
        600,
        1,
        1,
        "GreaterThanOrEqualToThreshold",
        missing="notBreaching",
        actions=[ops],
        ok_actions=[ops],
        **common,
    )
    k.alarm(
        "invoice-builder-inbound-oldest-message",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": queues["inv"]},
        "Maximum",
        300,
        3,
        1800,
        "GreaterThanThreshold",
        actions=[ops],
        **common,
    )
    k.evaluate_alarms(now)

    # --- CloudTrail ------------------------------------------------------------------------------
    tf = k.role("github-actions-terraform", "GitHubActions", ip=k.public_ip())
    deployer = k.role("github-actions-deploy", "GitHubActions", ip=k.public_ip())
    grafana = k.role("grafana-cloudwatch-read", "grafana", ip=k.public_ip(), ua=GRAFANA_UA)
    people = [
        k.sso("dana.okafor@kestreloutdoor.com", "PlatformEngineer"),
        k.sso("marc.lindqvist@kestreloutdoor.com", "ReadOnly"),
        k.sso("ravi.menon@kestreloutdoor.com", "FulfilmentDeveloper"),
    ]
    appscaling = k.service_role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ApplicationAutoScaling",
        "application-autoscaling.amazonaws.com",
    )

    def r_grafana(w: datetime) -> None:
        k.ct(
            w,
            grafana,
            "monitoring.amazonaws.com",
            rng.choice(["GetMetricData", "ListMetrics"]),
            {"namespace": rng.choice(["AWS/SQS", "AWS/ECS", "AWS/SNS"])} if rng.random() < 0.4 else None,
            read_only=True,
        )

    def r_person(w: datetime) -> None:
        p = rng.choice(people)
        choice = rng.randrange(5)
        if choice == 0:
            k.ct(w, p, "sqs.amazonaws.com", "ListQueues", {"queueNamePrefix": "wms"}, read_only=True)
        elif choice == 1:
            k.ct(
                w,
                p,
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": ["order-service"], "include": ["TAGS"]},
                read_only=True,
            )
        elif choice == 2:
            k.ct(
                w,
                p,
                "logs.amazonaws.com",
                "DescribeLogGroups",
                {"logGroupNamePrefix": "/ecs/"},
                read_only=True,
            )
        elif choice == 3:
            k.ct(
                w, p, "sns.amazonaws.com", "ListSubscriptionsByTopic", {"topicArn": topic_arn}, read_only=True
            )
        else:
            k.ct(
                w,
                p,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                {"alarmNamePrefix": "wms-"},
                read_only=True,
            )

    def r_scaling(w: datetime) -> None:
        k.ct(
            w,
            appscaling,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": ["order-service"]},
            read_only=True,
        )

    def r_lambda(w: datetime) -> None:
        k.assume_role_by(
            w,
            "lambda.amazonaws.com",
            f"arn:aws:iam::{k.account}:role/invoice-builder-role",
            "invoice-builder",
        )

    k.routine(
        start, now, rng.randint(34, 44), [r_grafana, r_grafana, r_person, r_person, r_scaling, r_lambda]
    )

    # the Terraform apply: plan reads, then two subscription updates in one run
    apply_at = onset - timedelta(seconds=rng.randint(6, 14))
    plan_at = apply_at - timedelta(minutes=rng.randint(6, 16), seconds=rng.randint(0, 59))
    for when in (plan_at, apply_at - timedelta(seconds=rng.randint(20, 40))):
        w = when
        k.ct(
            w,
            tf,
            "sns.amazonaws.com",
            "GetTopicAttributes",
            {"topicArn": topic_arn},
            read_only=True,
            ua=terraform_ua("sns", k),
        )
        for key in queues:
            w += timedelta(milliseconds=rng.randint(150, 600))
            k.ct(
                w,
                tf,
                "sns.amazonaws.com",
                "GetSubscriptionAttributes",
                {"subscriptionArn": sub_arn[key]},
                read_only=True,
                ua=terraform_ua("sns", k),
            )
        for key in ("wms", "notify"):
            w += timedelta(milliseconds=rng.randint(150, 600))
            k.ct(
                w,
                tf,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                {"queueUrl": q_url[key], "attributeNames": ["All"]},
                read_only=True,
                ua=terraform_ua("sqs", k),
            )
    notify_at = apply_at - timedelta(seconds=rng.randint(1, 3))
    k.ct(
        notify_at,
        tf,
        "sns.amazonaws.com",
        "SetSubscriptionAttributes",
        {
            "subscriptionArn": sub_arn["notify"],
            "attributeName": "FilterPolicy",
            "attributeValue": json.dumps(notify_new),
        },
        None,
        ua=terraform_ua("sns", k),
    )
    culprit = k.ct(
        apply_at,
        tf,
        "sns.amazonaws.com",
        "SetSubscriptionAttributes",
        {
            "subscriptionArn": sub_arn["wms"],
            "attributeName": "FilterPolicy",
            "attributeValue": json.dumps(culprit_policy),
        },
        None,
        ua=terraform_ua("sns", k),
    )
    for key in ("notify", "wms"):
        k.ct(
            apply_at + timedelta(seconds=rng.randint(1, 3)),
            tf,
            "sns.amazonaws.com",
            "GetSubscriptionAttributes",
            {"subscriptionArn": sub_arn[key]},
            read_only=True,
            ua=terraform_ua("sns", k),
        )
    # an unrelated deploy of order-service a little earlier, by the application pipeline
    dep_at = onset - timedelta(minutes=rng.randint(14, 26), seconds=rng.randint(0, 59))
    rev = rng.randint(421, 470)
    k.ct(
        dep_at,
        deployer,
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        {},
        None,
        read_only=True,
        ua=boto_ua(k),
    )
    k.ct(
        dep_at + timedelta(seconds=41),
        deployer,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "order-service",
            "taskRoleArn": f"arn:aws:iam::{k.account}:role/order-service-task",
            "executionRoleArn": f"arn:aws:iam::{k.account}:role/ecs-task-execution",
            "networkMode": "awsvpc",
            "containerDefinitions": [
                {
                    "name": "order-service",
                    "image": f"{k.account}.dkr.ecr.{k.region}.amazonaws.com/order-service:{k.hex(7)}",
                    "cpu": 0,
                    "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                    "essential": True,
                }
            ],
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": k.arn("ecs", f"task-definition/order-service:{rev}"),
                "family": "order-service",
                "revision": rev,
                "status": "ACTIVE",
            }
        },
        ua=boto_ua(k),
    )
    k.ct(
        dep_at + timedelta(seconds=44),
        deployer,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "order-service",
            "taskDefinition": f"order-service:{rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "order-service",
                "taskDefinition": k.arn("ecs", f"task-definition/order-service:{rev}"),
                "desiredCount": 4,
            }
        },
        ua=boto_ua(k),
    )
    # and a person shortening the invoice queue's retention
    p = people[0]
    k.ct(
        onset + timedelta(minutes=rng.randint(8, 20)),
        p,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": q_url["inv"], "attributes": {"VisibilityTimeout": "180"}},
        None,
    )

    # --- manifest --------------------------------------------------------------------------------
    noticed = onset + timedelta(minutes=rng.randint(2, 8))
    noticed = noticed - timedelta(minutes=noticed.minute % 5)
    q = rng.choice(
        [
            f"Warehouse ops says no new pick waves have been released since about {clock(noticed, zone)} and "
            "the allocator dashboard has gone flat. Nothing is erroring and orders are still coming in on the site. "
            "What's going on?",
            f"wms-allocator has allocated nothing since roughly {clock(noticed, zone)} - no errors, no alarms, "
            "the DCs are asking where their waves are. Storefront orders look normal. Can you figure out why?",
        ]
    )
    manifest = {
        "title": TITLE,
        "start": iso(start),
        "end": iso(now),
        "now": iso(now),
        "trigger": {"question": q, "alarm_event": None, "timezone": zone},
        "truth": {
            "no_fault": False,
            "root_cause": {
                "resource": sub_arn["wms"],
                "category": "change",
                "failure_mode": "sns-filter-policy-drops-events",
                "event_id": culprit["eventID"],
            },
            "also_accept": [sub_ids["wms"], f"{topic}:{sub_ids['wms']}"],
            "actions": ["rollback"],
            "chain": [
                f"SetSubscriptionAttributes rewrote the FilterPolicy of subscription {sub_arn['wms']} to key on "
                "event_type instead of the eventType attribute the publisher sets",
                f"SNS topic {topic} filters every order event out of {queues['wms']} (NumberOfNotificationsFilteredOut jumps)",
                f"{queues['wms']} receives nothing; wms-allocator goes idle and writes no allocations to {table}",
                "pick-wave-builder finds no unwaved allocations and releases no pick waves",
            ],
        },
    }
    return k.bundle(manifest, now)
