"""On-sale burst: the fulfilment queue depth alarm pages while workers scale out, and the backlog drains by itself."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzj import (
    Estate,
    Kit,
    app_logs,
    iso,
    minutes,
    ms,
    pick_day,
    sale_curve,
    std_metrics,
)

NAME = "onsale-fulfilment-backlog-drains"
TITLE = "Order-fulfilment queue depth alarm paged at the start of the on-sale; are orders stuck?"
SUMMARY = (
    "The on-sale burst outran the order-worker fleet for a quarter of an hour; step scaling added tasks and "
    "instances, the backlog drained with no dead-lettered messages and the alarm returned to OK."
)


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME, "ticketnest")
    r = k.rng
    sale = pick_day(r, r.choice([9, 10]), 0)
    start = sale - timedelta(hours=3, minutes=r.randint(20, 45))
    now = sale + timedelta(minutes=r.randint(48, 62))
    est = Estate(k, start, n_instances=9)
    base = r.uniform(2000, 3200)
    peak = r.uniform(60000, 95000)
    per_task = r.uniform(70, 85)
    order_rate = r.uniform(0.035, 0.045)

    def rpm(t: datetime) -> float:
        return sale_curve(t, sale, peak, base)

    times = minutes(start, now)
    # worker fleet: step scaling on queue depth, 3 -> 24 tasks
    steps = [(2, 6), (5, 12), (8, 18), (11, 24)]
    scale_at = [(sale + timedelta(minutes=m, seconds=r.randint(5, 50)), n) for m, n in steps]
    tasks: dict[datetime, int] = {}
    for t in times:
        n = 3
        for at, val in scale_at:
            if t >= at + timedelta(minutes=1):  # a task is consuming about a minute after it is placed
                n = val
        tasks[t] = n
    sent: dict[datetime, float] = {}
    deleted: dict[datetime, float] = {}
    visible: dict[datetime, float] = {}
    age: dict[datetime, float] = {}
    backlog = 0.0
    oldest_since: datetime | None = None
    for t in times:
        n_sent = k.noisy((rpm(t) if t >= sale else base) * 0.3 * order_rate, 0.05)
        cap = tasks[t] * per_task * r.uniform(0.93, 1.02)
        done = min(backlog + n_sent, cap)
        backlog = max(0.0, backlog + n_sent - done)
        sent[t], deleted[t] = n_sent, done
        visible[t] = backlog if backlog > 5 else float(r.randint(0, 4))
        if backlog > 5:
            oldest_since = oldest_since or t
            age[t] = min((t - oldest_since).total_seconds(), backlog / max(done, 1) * 60) + r.randint(5, 20)
        else:
            oldest_since = None
            age[t] = float(r.randint(1, 9))

    def after(t: datetime) -> bool:
        return t >= sale

    running_tasks = tasks[times[-1]]
    d = std_metrics(
        est,
        times,
        rpm,
        {
            "q_sent": lambda t: sent[t],
            "q_deleted": lambda t: deleted[t],
            "q_visible": lambda t: visible[t],
            "q_age": lambda t: age[t],
            "cpu_order-worker": lambda t: min(
                92.0, k.noisy(8 + 70 * deleted[t] / max(1.0, tasks[t] * per_task), 0.06)
            ),
            "cpu_checkout-api": lambda t: min(90.0, k.noisy(8 + 45 * rpm(t) / peak, 0.06)),
            "cpu_web": lambda t: min(90.0, k.noisy(10 + 50 * rpm(t) / peak, 0.06)),
            "redis_cpu": lambda t: min(90.0, k.noisy(4 + 62 * rpm(t) / peak, 0.05)),
            "inv_wcu": lambda t: k.noisy(rpm(t) * 0.3 * 0.9, 0.05),
            "inv_prov_wcu": lambda t: 12000.0 if t >= sale - timedelta(minutes=90) else 1500.0,
            "orders_wcu": lambda t: sent[t] * 2 + deleted[t] * 1.0,
            "cpu_reservation": lambda t: min(
                100.0, 100.0 * 512 * (12 + 6 + tasks[t]) / (4096 * (9 if tasks[t] <= 12 else 12))
            ),
            "waf_blocked_rate": lambda t: k.noisy(rpm(t) * 0.02, 0.2) if after(t) else None,
            "waf_blocked": lambda t: k.noisy(rpm(t) * (0.024 if after(t) else 0.004) + 3, 0.2),
        },
    )

    # --- changes: capacity pre-warm (scheduled), other routine edits
    eng = k.sso(r.choice(["nadia.farah", "ollie.grant", "wen.zhou"]))
    console = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
    warm = sale - timedelta(minutes=90)
    aas = k.role(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AutoScaling",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    k.ct(
        warm + timedelta(seconds=12),
        "dynamodb.amazonaws.com",
        "UpdateTable",
        aas,
        {
            "tableName": est.inventory_table,
            "provisionedThroughput": {"readCapacityUnits": 3000, "writeCapacityUnits": 12000},
        },
        None,
    )
    k.event(
        "application_autoscaling",
        {
            "ActivityId": k.uid(),
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{est.inventory_table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "Description": "Setting min capacity to 12000 and max capacity to 20000",
            "Cause": f"scheduled action name onsale-prewarm-{sale:%Y%m%d} was triggered",
            "StartTime": iso(warm),
            "EndTime": iso(warm + timedelta(seconds=40)),
            "StatusCode": "Successful",
            "StatusMessage": "Successfully set min capacity to 12000 and max capacity to 20000. Change successfully fulfilled by dynamodb.",
        },
    )
    k.ct(
        sale - timedelta(minutes=r.randint(25, 40)),
        "wafv2.amazonaws.com",
        "UpdateIPSet",
        k.sso("amir.haddad", "SecurityOps"),
        {
            "name": f"{k.brand}-blocklist",
            "scope": "REGIONAL",
            "id": est.ipset_id,
            "addresses": [f"193.{r.randint(10, 250)}.{r.randint(0, 250)}.0/24"],
            "lockToken": k.uid(),
        },
        {"nextLockToken": k.uid()},
        agent=console,
    )
    k.ct(
        sale - timedelta(minutes=r.randint(50, 80)),
        "ssm.amazonaws.com",
        "PutParameter",
        eng,
        {
            "name": f"/{k.brand}/prod/web/waiting-room/release-rate",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": r.randint(30, 120), "tier": "Standard"},
        agent=console,
    )
    ecs_aas = k.role(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    policy = "order-worker-queue-depth-step"
    scale_alarm = f"{k.brand}-order-worker-scale-out"
    prev = 3
    for at, n in scale_at:
        k.ct(
            at,
            "ecs.amazonaws.com",
            "UpdateService",
            ecs_aas,
            {"cluster": est.cluster, "service": "order-worker", "desiredCount": n},
            {
                "service": {
                    "serviceArn": est.service_arn("order-worker"),
                    "serviceName": "order-worker",
                    "desiredCount": n,
                    "status": "ACTIVE",
                }
            },
        )
        k.event(
            "application_autoscaling",
            {
                "ActivityId": k.uid(),
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{est.cluster}/order-worker",
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": f"Setting desired count to {n}.",
                "Cause": f"monitor alarm {scale_alarm} in state ALARM triggered policy {policy}",
                "StartTime": iso(at - timedelta(seconds=3)),
                "EndTime": iso(at + timedelta(seconds=r.randint(30, 70))),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
            },
        )
        est.ecs_event(
            "order-worker",
            at + timedelta(seconds=15),
            f"(service order-worker) has started {n - prev} tasks: "
            + " ".join(f"(task {k.hexid(32)})" for _ in range(n - prev))
            + ".",
        )
        prev = n
    # capacity provider adds instances when tasks no longer fit
    cp_role = k.role("AWSServiceRoleForECS", "ecs-managed-scaling", invoked_by="ecs.amazonaws.com")
    grow = scale_at[2][0] + timedelta(seconds=20)
    k.ct(
        grow,
        "autoscaling.amazonaws.com",
        "SetDesiredCapacity",
        cp_role,
        {"autoScalingGroupName": est.asg, "desiredCapacity": 12, "honorCooldown": False},
        None,
    )
    new_instances = [f"i-0{k.hexid(16)}" for _ in range(3)]
    for i in new_instances:
        at = grow + timedelta(seconds=r.randint(8, 30))
        k.event(
            "autoscaling",
            {
                "ActivityId": k.uid(),
                "AutoScalingGroupName": est.asg,
                "Description": f"Launching a new EC2 instance: {i}",
                "Cause": f"At {iso(grow)} a user request update of AutoScalingGroup constraints to min: 3, max: 18, desired: 12 changing the desired capacity from 9 to 12.  At {iso(grow + timedelta(seconds=6))} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 9 to 12.",
                "StartTime": iso(at),
                "EndTime": iso(at + timedelta(seconds=r.randint(40, 70))),
                "StatusCode": "Successful",
                "Progress": 100,
            },
        )
    est.ecs_event(
        "order-worker",
        scale_at[2][0] + timedelta(seconds=16),
        f"(service order-worker) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance {est.ci_arn[est.instances[0]]}) has insufficient CPU units available. For more information, see the Troubleshooting section.",
    )
    est.tooling_noise(start, now)
    est.steady_state_events(start - timedelta(hours=9), sale)
    est.ecs_event(
        "order-worker",
        scale_at[-1][0] + timedelta(minutes=4),
        "(service order-worker) has reached a steady state.",
    )
    for off in (6, 9, 14):
        at = sale + timedelta(minutes=off, seconds=r.randint(0, 40))
        k.ct(
            at,
            "sqs.amazonaws.com",
            "GetQueueAttributes",
            eng,
            {"queueUrl": est.queue_url, "attributeNames": ["All"]},
            None,
            read_only=True,
            agent=console,
        )
        k.ct(
            at + timedelta(seconds=25),
            "ecs.amazonaws.com",
            "DescribeServices",
            eng,
            {"cluster": est.cluster, "services": ["order-worker"]},
            None,
            read_only=True,
            agent=console,
        )

    # --- logs
    app_logs(est, "web", times, rpm)
    app_logs(est, "checkout-api", times, rpm)
    wg = f"/ecs/{k.brand}/order-worker"
    streams = [f"ecs/order-worker/{x}" for x in est.task_ids["order-worker"]]
    for t in times[::2]:
        for s in r.sample(streams, 2):
            at = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            lag = int(age[t] * 1000 * r.uniform(0.3, 1.0)) if visible[t] > 5 else r.randint(300, 4000)
            k.log(
                wg,
                s,
                at,
                json.dumps(
                    {
                        "level": 30,
                        "time": ms(at),
                        "pid": 1,
                        "hostname": s[-32:][:12],
                        "msg": "order fulfilled",
                        "orderId": k.hexid(12).upper(),
                        "tickets": r.randint(1, 6),
                        "queueLagMs": lag,
                        "ms": r.randint(300, 900),
                    }
                ),
            )
            if r.random() < 0.015:
                k.log(
                    wg,
                    s,
                    at + timedelta(milliseconds=40),
                    json.dumps(
                        {
                            "level": 40,
                            "time": ms(at) + 40,
                            "pid": 1,
                            "hostname": s[-32:][:12],
                            "msg": "email provider returned 429, retrying",
                            "attempt": 1,
                        }
                    ),
                )

    # --- resources
    est.desired["order-worker"] = running_tasks
    est.write_resources(
        now,
        {
            "inventory_throughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 3000,
                "WriteCapacityUnits": 12000,
                "LastIncreaseDateTime": iso(warm + timedelta(seconds=12)),
            },
            "inventory_wcu_max": 20000,
            "queue_depth": int(visible[times[-1]]),
        },
    )
    k.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": k.arn(
                "autoscaling",
                f"scalingPolicy:{k.uid()}:resource/ecs/service/{est.cluster}/order-worker:policyName/{policy}",
            ),
            "PolicyName": policy,
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{est.cluster}/order-worker",
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "StepScaling",
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [
                    {
                        "MetricIntervalLowerBound": 0.0,
                        "MetricIntervalUpperBound": 2000.0,
                        "ScalingAdjustment": 3,
                    },
                    {"MetricIntervalLowerBound": 2000.0, "ScalingAdjustment": 6},
                ],
                "Cooldown": 120,
                "MetricAggregationType": "Maximum",
            },
            "Alarms": [{"AlarmName": scale_alarm, "AlarmARN": k.arn("cloudwatch", f"alarm:{scale_alarm}")}],
            "CreationTime": iso(est.created),
        },
    )
    k.resource(
        "application-autoscaling",
        "ScheduledAction",
        {
            "ScheduledActionName": f"onsale-prewarm-{sale:%Y%m%d}",
            "ScheduledActionARN": k.arn(
                "autoscaling",
                f"scheduledAction:{k.uid()}:resource/dynamodb/table/{est.inventory_table}:scheduledActionName/onsale-prewarm-{sale:%Y%m%d}",
            ),
            "ServiceNamespace": "dynamodb",
            "Schedule": f"at({warm:%Y-%m-%dT%H:%M:%S})",
            "ResourceId": f"table/{est.inventory_table}",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "ScalableTargetAction": {"MinCapacity": 12000, "MaxCapacity": 20000},
            "CreationTime": iso(sale - timedelta(days=r.randint(2, 6))),
        },
    )

    # --- alarms
    qd = {"QueueName": est.queue}
    ev = k.alarm(
        f"{k.brand}-order-fulfilment-depth",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Maximum",
        1000,
        "GreaterThanThreshold",
        d["q_visible"],
        start,
        now,
        evals=3,
        description="More than 1000 fulfilment messages waiting for 3 minutes",
    )
    k.alarm(
        scale_alarm,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        "Maximum",
        200,
        "GreaterThanThreshold",
        d["q_visible"],
        start,
        now,
        evals=1,
        page=False,
        description="Scale-out trigger for order-worker (step scaling)",
    )
    k.alarm(
        f"{k.brand}-order-fulfilment-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        "Maximum",
        1800,
        "GreaterThanThreshold",
        d["q_age"],
        start,
        now,
        period=300,
        evals=1,
    )
    k.alarm(
        f"{k.brand}-order-fulfilment-dlq",
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": est.dlq},
        "Maximum",
        0,
        "GreaterThanThreshold",
        d["dlq_visible"],
        start,
        now,
        period=300,
        evals=1,
    )
    k.alarm(
        f"{k.brand}-holds-redis-cpu",
        "AWS/ElastiCache",
        "EngineCPUUtilization",
        {"CacheClusterId": est.redis_nodes[0], "CacheNodeId": "0001"},
        "Average",
        60,
        "GreaterThanThreshold",
        d["redis_cpu"],
        start,
        now,
        evals=3,
        page=False,
    )
    k.alarm(
        f"{k.brand}-checkout-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": est.tg["checkout-api"], "LoadBalancer": est.alb_dim},
        "Sum",
        100,
        "GreaterThanThreshold",
        d["checkout_5xx"],
        start,
        now,
        evals=3,
    )

    paged = ev["time"][11:16] if ev else f"{sale:%H:%M}"
    question = (
        f"Got paged for the order-fulfilment queue depth at {paged}, right as the on-sale opened. A few fans on "
        f"social say their tickets haven't arrived. Are orders stuck or being lost? Do I need to do anything?"
    )
    return k.bundle(
        TITLE,
        start,
        now,
        now,
        {"question": question, "alarm_event": ev, "timezone": "Europe/London"},
        {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
