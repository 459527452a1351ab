"""A sale pushes order writes past the orders table's auto-scaling maximum; persisting orders is throttled."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_zzzzg as kit

NAME = "orders-failing-after-sale-email-went-out"
TITLE = "Orders failing in the first hour of the sale; payment provider suspected"
SUMMARY = (
    "Sale traffic needs more write capacity than the provisioned orders table's auto-scaling maximum; "
    "PersistOrder and the shipping status updates are throttled and executions fail after their retries."
)


def build(seed: int) -> Bundle:
    ctx = kit.Ctx(seed, salt=NAME, onset_after_h=3.7, after_min=40)
    r = ctx.rng
    max_wcu = r.choice([250, 280, 300])
    kit.pipeline_resources(ctx, orders_billing="PROVISIONED", wcu=max_wcu, rcu=200)
    onset = ctx.onset
    on_m = ctx.mi(onset)
    peak = r.uniform(1250, 1450)
    target = max_wcu * 60 * r.uniform(1.35, 1.6) / 6  # sale orders a minute
    slr = f"arn:aws:iam::{ctx.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    created = ctx.start - timedelta(days=r.randint(200, 500))
    ctx.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": "table/orders",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "MinCapacity": 100,
            "MaxCapacity": max_wcu,
            "RoleARN": slr,
            "CreationTime": kit.iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
            "ScalableTargetARN": ctx.arn("application-autoscaling", f"scalable-target/{ctx.hexid(32)}"),
        },
    )
    ctx.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": "table/orders",
            "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
            "MinCapacity": 50,
            "MaxCapacity": 1000,
            "RoleARN": slr,
            "CreationTime": kit.iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    policy_arn = ctx.arn(
        "autoscaling",
        f"scalingPolicy:{ctx.uid()}:resource/dynamodb/table/orders:policyName/$orders-scaling-policy",
    )
    high = f"TargetTracking-table/orders-AlarmHigh-{ctx.uid()}"
    low = f"TargetTracking-table/orders-AlarmLow-{ctx.uid()}"
    ctx.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": policy_arn,
            "PolicyName": "$orders-scaling-policy",
            "ServiceNamespace": "dynamodb",
            "ResourceId": "table/orders",
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [
                {"AlarmName": high, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{high}")},
                {"AlarmName": low, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{low}")},
            ],
            "CreationTime": kit.iso(created),
        },
    )

    # provisioned capacity as target tracking moved it
    prov: list[float] = []
    cap = float(r.choice([190, 200, 210]))
    throttled_total = 0.0

    def hook(i: int, ts: datetime, m: kit.Minute) -> None:
        nonlocal cap, throttled_total
        sale = i >= on_m
        if sale:
            ramp = min(1.0, (i - on_m + 1) / 4)
            m["orders"] = round(m["orders"] + (target - m["orders"]) * ramp * r.uniform(0.93, 1.07))
            m["started"] = m["orders"]
            m["reserve_inv"] = m["orders"]
            m["inv_wcu"] = m["orders"] * 1.0
        demand = m["started"] * 6.0 + r.uniform(0, 60)  # ~3 KB order item: the PutItem and the status update
        cap_min = cap * 60
        if demand > cap_min * 0.7 * 1.05 and cap < max_wcu and (i % 2 == 0):
            cap = min(float(max_wcu), round(demand / 60 / 0.7 / 10) * 10)
            scale_ups.append((i, cap))
        prov.append(cap)
        burst = 40 * 60 if sale and i - on_m < 2 else 0
        if demand > cap_min + burst:
            over = demand - cap_min - burst
            m["orders_wcu"] = cap_min + burst - r.uniform(0, 150)
            m["orders_wthr"] = round(over * r.uniform(1.4, 1.9))  # retried requests are throttled again
            share = min(0.6, over / demand * 1.6)
            m["failed"] = round(m["started"] * share)
            m["succeeded"] = m["started"] - m["failed"]
            m["exec_time_ms"] = r.uniform(9000, 16000)
            m["put_ms"] = r.uniform(6, 11)
            m["ship_err"] = round(m["ship_inv"] * share * 0.5)
            m["ship_ms"] = r.uniform(2500, 6000)
            m["proj_inv"] = round(m["succeeded"] / r.uniform(3, 6))
            m["q_sent"] = m["succeeded"]
            m["q_visible"] = r.randint(40, 400)
            m["q_age"] = r.uniform(60, 240)
            throttled_total += m["orders_wthr"]
        else:
            m["orders_wcu"] = demand
            m["succeeded"] = m["started"] - (1 if r.random() < 0.1 else 0)
            m["failed"] = m["started"] - m["succeeded"]
            m["proj_inv"] = max(1, round(m["started"] / r.uniform(3, 6)))
            m["q_sent"] = m["started"]
        m["charge_inv"] = m["started"]
        m["charge_err"] = 1 if r.random() < 0.05 else 0
        m["ship_inv"] = max(1, round(m["q_sent"] / r.uniform(2, 4)))

    scale_ups: list[tuple[int, float]] = []
    kit.carrier_slow_window(ctx)
    minutes = kit.emit_pipeline(ctx, peak, hook)
    for i, c in enumerate(prov):
        ctx.put(
            "AWS/DynamoDB", "ProvisionedWriteCapacityUnits", {"TableName": "orders"}, ctx.at(i), "Count", c
        )
        ctx.put(
            "AWS/DynamoDB", "ProvisionedReadCapacityUnits", {"TableName": "orders"}, ctx.at(i), "Count", 200
        )
    for i, c in scale_ups:
        ts = ctx.at(i + 1.2)
        prev = prov[i - 1] if i > 0 else c
        ctx.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": ctx.uid(),
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": "table/orders",
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {int(c)}.",
                    "Cause": f"monitor alarm {high} in state ALARM triggered policy $orders-scaling-policy",
                    "StartTime": kit.iso(ts),
                    "EndTime": kit.iso(ts + timedelta(seconds=r.randint(20, 70))),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {int(c)}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        ident = ctx.role_identity(
            "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable", "AutoScaling-UpdateTable", ts
        )
        ident["invokedBy"] = "application-autoscaling.amazonaws.com"
        ctx.trail(
            ts,
            "dynamodb.amazonaws.com",
            "UpdateTable",
            ident,
            req={
                "tableName": "orders",
                "provisionedThroughput": {"readCapacityUnits": 200, "writeCapacityUnits": int(c)},
            },
            resp={
                "tableDescription": {
                    "tableName": "orders",
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "readCapacityUnits": 200,
                        "writeCapacityUnits": int(prev),
                        "numberOfDecreasesToday": 0,
                    },
                }
            },
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )

    # preparing for the sale: provisioned concurrency on intake, an innocent change shortly before
    t_pc = onset - timedelta(minutes=r.randint(25, 50))
    person = r.choice(["lena.kowalski", "dev.mehta", "chris.oneill"])
    ctx.trail(
        t_pc,
        "lambda.amazonaws.com",
        "PutProvisionedConcurrencyConfig",
        ctx.sso(person, t_pc),
        req={"functionName": "order-intake", "qualifier": "live", "provisionedConcurrentExecutions": 50},
        resp={
            "requestedProvisionedConcurrentExecutions": 50,
            "allocatedProvisionedConcurrentExecutions": 0,
            "status": "IN_PROGRESS",
            "lastModified": t_pc.strftime("%Y-%m-%dT%H:%M:%S+0000"),
        },
        agent="aws-cli/2.17.20 md/command#lambda.put-provisioned-concurrency-config",
    )
    t_sc = onset - timedelta(minutes=r.randint(55, 80))
    ctx.trail(
        t_sc,
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        ctx.sso(person, t_sc),
        req={"serviceNamespace": "dynamodb", "resourceIds": ["table/orders"]},
        resp=None,
        read_only=True,
    )
    kit.background_changes(ctx)
    ctx.tooling_noise(r.randint(32, 44))

    kit.baseline_logs(ctx, every=5)
    t = onset + timedelta(minutes=2, seconds=r.randint(10, 50))
    pte = (
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
        "provisioning level with the UpdateTable API."
    )
    while t < ctx.now:
        oid = f"ord_{ctx.hexid(12)}"
        ctx.invocation_log(
            "shipping-notifier",
            t,
            [
                f"[INFO]\t{kit.lts(t)}\t{{rid}}\tnotified carrier for {oid} (group {oid})",
                f"[ERROR]\t{kit.lts(t)}\t{{rid}}\tstatus update failed for {oid}; leaving message for retry: An error occurred (ProvisionedThroughputExceededException) when calling the UpdateItem operation (reached max retries: 9): {pte}",
            ],
            duration=r.uniform(2500, 6500),
            memory=256,
            used=r.randint(80, 86),
        )
        t += timedelta(seconds=r.randint(30, 90))

    for k in range(5):
        st = onset - timedelta(minutes=r.randint(10, 90) + k)
        ctx.execution("order-fulfilment", st, st + timedelta(seconds=r.uniform(0.9, 1.6)), "SUCCEEDED")
    for _ in range(12):
        st = onset + timedelta(seconds=r.randint(150, int((ctx.now - onset).total_seconds()) - 30))
        if r.random() < 0.55:
            ctx.execution(
                "order-fulfilment",
                st,
                st + timedelta(seconds=r.uniform(15.5, 17)),
                "FAILED",
                "OrderFulfilmentFailed",
                "see $.error",
            )
        else:
            ctx.execution("order-fulfilment", st, st + timedelta(seconds=r.uniform(1.2, 9)), "SUCCEEDED")

    alarms = kit.standard_alarms(ctx)
    a_high = ctx.alarm(
        high,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": "orders"},
        stat="Sum",
        threshold=max_wcu * 0.7 * 60,
        period=60,
        evals=2,
        missing="missing",
        desc=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy_arn}.",
    )
    a_high["OKActions"] = []
    a_high["AlarmActions"] = [policy_arn]
    first = next(i for i in range(int(on_m), len(minutes)) if minutes[i]["orders_wthr"] > 0)
    ctx.transition(
        a_high,
        ctx.at(first + 1.3),
        "ALARM",
        [round(minutes[first]["orders_wcu"], 1), round(minutes[first - 1]["orders_wcu"], 1)],
    )
    bad = [i for i in range(int(on_m), len(minutes) - 1) if minutes[i]["failed"] >= 5]
    k = next(i for i in bad if i + 1 in bad and i + 2 in bad)
    ctx.transition(
        alarms["sfn_failed"],
        ctx.at(k + 3.4),
        "ALARM",
        [float(minutes[k + 2 - j]["failed"]) for j in range(3)],
    )
    qk = int(on_m) + 12
    ctx.transition(
        alarms["q_age"],
        ctx.at(qk + 0.5),
        "ALARM",
        [round(minutes[qk]["q_age"]), round(minutes[qk - 5]["q_age"])],
        period_end=ctx.at(qk),
    )
    kit.notifier_flap(ctx, alarms["notifier_dur"], minutes)
    q = (
        f"lots of orders ending up failed since about {kit.local(onset + timedelta(minutes=3), ctx.tz)}, right after "
        "the sale email went out. is the payment provider struggling with the load again?"
    )
    return ctx.bundle(
        TITLE,
        {"question": q, "alarm_event": None, "timezone": ctx.tz},
        {
            "no_fault": False,
            "root_cause": {
                "resource": "orders",
                "category": "limit",
                "failure_mode": "dynamodb-autoscaling-max-write-capacity-reached",
            },
            "also_accept": [ctx.arn("dynamodb", "table/orders"), "table/orders"],
            "actions": ["scale", "reconfigure"],
            "chain": ["orders", "order-fulfilment", "shipping-notifier", "order-events.fifo"],
        },
    )
