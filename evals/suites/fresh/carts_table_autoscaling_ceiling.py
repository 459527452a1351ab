"""Add-to-cart failures during a promo: the carts table's write auto scaling is pinned at its maximum."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzzc import REGION, Account, Shop, alnum, iso, manifest, records, uid, window

NAME = "carts-table-autoscaling-ceiling"
TITLE = "Add to cart failing for a lot of shoppers since the promo email went out"
SUMMARY = (
    "A promo email multiplies cart writes; the provisioned carts table scales up to its auto scaling "
    "MaxCapacity and stays there, so writes are throttled and addToCart fails."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    start, onset, now, end = window(rng)
    acct = Account(rng, start, now, end)
    app = rng.choice(["brightcart", "pantry", "shopfront", "fernandfig"])
    cart_fn, catalog_fn, orders_fn = (
        f"{app}-cart-resolver",
        f"{app}-catalog-resolver",
        f"{app}-orders-resolver",
    )
    carts, catalog, orders = f"{app}-carts", f"{app}-catalog", f"{app}-orders"
    shop = Shop(acct, app, onset, [cart_fn, catalog_fn, orders_fn], [carts, catalog, orders])
    created = start - timedelta(days=rng.randint(200, 700))
    for fn, tbl in ((cart_fn, carts), (catalog_fn, catalog), (orders_fn, orders)):
        acct.role(f"{fn}-role", "lambda.amazonaws.com", created)
        acct.function(
            fn,
            f"{fn}-role",
            512,
            10,
            start - timedelta(days=rng.randint(1, 20)),
            {"TABLE_NAME": tbl, "POWERTOOLS_SERVICE_NAME": fn},
        )

    maxw = rng.choice([100, 150, 200])
    minw = rng.choice([10, 20, 25])
    base_w = maxw * rng.uniform(0.22, 0.32)  # WCU/s at the afternoon baseline
    peak_w = maxw * rng.uniform(1.6, 2.3)
    provisioned_r = rng.choice([50, 80, 100])
    acct.table(
        carts,
        created,
        [("cartId", "HASH"), ("sk", "RANGE")],
        provisioned=(provisioned_r, maxw),
        items=rng.randint(50000, 300000),
    )
    acct.table(catalog, created, [("sku", "HASH")], items=rng.randint(3000, 40000))
    acct.table(
        orders,
        created,
        [("orderId", "HASH")],
        [("byCustomer", [("customerId", "HASH"), ("createdAt", "RANGE")])],
        items=rng.randint(300000, 900000),
    )
    rid = f"table/{carts}"
    slr = f"arn:aws:iam::{acct.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    for dim, lo, hi in (
        ("dynamodb:table:WriteCapacityUnits", minw, maxw),
        ("dynamodb:table:ReadCapacityUnits", 20, 400),
    ):
        acct.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": dim,
                "MinCapacity": lo,
                "MaxCapacity": hi,
                "RoleARN": slr,
                "CreationTime": iso(created + timedelta(days=3)),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
    high_alarm = f"TargetTracking-{rid}-AlarmHigh-{uid(rng)}"
    low_alarm = f"TargetTracking-{rid}-AlarmLow-{uid(rng)}"
    acct.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": f"arn:aws:autoscaling:{REGION}:{acct.account}:scalingPolicy:{uid(rng)}:resource/dynamodb/{rid}:policyName/${carts}-scaling-policy",
            "PolicyName": f"${carts}-scaling-policy",
            "ServiceNamespace": "dynamodb",
            "ResourceId": rid,
            "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 70.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "DynamoDBWriteCapacityUtilization"},
            },
            "Alarms": [
                {
                    "AlarmName": high_alarm,
                    "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{acct.account}:alarm:{high_alarm}",
                },
                {
                    "AlarmName": low_alarm,
                    "AlarmARN": f"arn:aws:cloudwatch:{REGION}:{acct.account}:alarm:{low_alarm}",
                },
            ],
            "CreationTime": iso(created + timedelta(days=3)),
        },
    )

    # --- demand and provisioned capacity over time
    ramp = timedelta(minutes=rng.randint(6, 12))

    def demand(t: datetime) -> float:
        if t < onset:
            return base_w * (0.8 + 0.35 * (t - start) / (onset - start))
        f = min(1.0, (t - onset) / ramp)
        decay = max(0.75, 1.0 - (t - onset).total_seconds() / 3600 * 0.25)
        return base_w + (peak_w - base_w) * f * decay

    steps: list[tuple[datetime, int]] = [(start - timedelta(hours=2), round(base_w * 1.15 / 0.62))]
    mid = int(min(maxw, round(demand(onset + timedelta(minutes=3)) / 0.7)))
    steps.append((onset + timedelta(minutes=rng.randint(3, 4)), max(mid, steps[0][1] + 10)))
    steps.append((onset + timedelta(minutes=rng.randint(8, 10)), maxw))

    def prov(t: datetime) -> int:
        cur = steps[0][1]
        for when, v in steps:
            if t >= when:
                cur = v
        return cur

    noise = {t: rng.uniform(0.92, 1.08) for t in acct.minutes()}

    def consumed(t: datetime) -> float:
        d = demand(t) * noise[t]
        p = prov(t)
        return min(d, p * 1.04) if t >= onset + timedelta(minutes=2) else d

    def throttled(t: datetime) -> float | None:
        over = demand(t) * noise[t] - prov(t) * 1.04
        if t < onset + timedelta(minutes=2) or over <= 0:
            return None
        return round(over * 60 / 1.4)

    dt = {"TableName": carts}
    acct.series("AWS/DynamoDB", "ConsumedWriteCapacityUnits", dt, "Count", lambda t: consumed(t) * 60)
    acct.series("AWS/DynamoDB", "ProvisionedWriteCapacityUnits", dt, "Count", lambda t: float(prov(t)))
    acct.series(
        "AWS/DynamoDB", "ConsumedReadCapacityUnits", dt, "Count", lambda t: demand(t) * 0.8 * noise[t] * 60
    )
    acct.series("AWS/DynamoDB", "ProvisionedReadCapacityUnits", dt, "Count", lambda t: float(provisioned_r))
    acct.series("AWS/DynamoDB", "WriteThrottleEvents", dt, "Count", throttled)
    acct.series(
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": carts, "Operation": "UpdateItem"},
        "Count",
        lambda t: None if throttled(t) is None else round((throttled(t) or 0) * 0.7),
    )
    acct.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": carts, "Operation": "UpdateItem"},
        "Milliseconds",
        lambda t: rng.uniform(4, 8),
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": catalog},
        "Count",
        lambda t: demand(t) * 6 * noise[t] * 60,
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": orders},
        "Count",
        lambda t: demand(t) * 0.12 * noise[t] * 60,
    )

    # --- traffic (the promo lifts everything)
    def boost(t: datetime) -> float:
        return demand(t) / (base_w * 0.95)

    base = rng.uniform(700, 1500)
    fail = {
        t: max(0.0, (throttled(t) or 0) / max(1.0, demand(t) * 60) * rng.uniform(0.45, 0.6))
        for t in acct.minutes()
    }
    cart_rpm = {t: demand(t) * 60 / 2.2 * noise[t] for t in acct.minutes()}
    acct.web_traffic(shop.dist, shop.api_id, base, boost=boost)
    shop.cognito_traffic(alnum(rng, 26, upper=False), base / 35)
    acct.lambda_metrics(
        cart_fn,
        lambda t: cart_rpm[t],
        lambda t: rng.uniform(30, 45) + (fail[t] * 2400),
        errors=lambda t: cart_rpm[t] * fail[t],
        dur_max=lambda t: rng.uniform(250, 600) + (1900 if fail[t] > 0 else 0),
    )
    acct.lambda_metrics(catalog_fn, lambda t: cart_rpm[t] * 3.5, lambda t: rng.uniform(15, 28))
    acct.lambda_metrics(orders_fn, lambda t: cart_rpm[t] * 0.25, lambda t: rng.uniform(40, 70))

    # --- auto scaling: activities, the service's UpdateTable calls, the target-tracking alarms
    slr_id = acct.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "ApplicationAutoScaling",
        "application-autoscaling.amazonaws.com",
    )
    for when, v in steps[1:]:
        prev = prov(when - timedelta(seconds=1))
        act = uid(rng)
        acct.events.append(
            {
                "source": "application_autoscaling",
                "item": {
                    "ActivityId": act,
                    "ServiceNamespace": "dynamodb",
                    "ResourceId": rid,
                    "ScalableDimension": "dynamodb:table:WriteCapacityUnits",
                    "Description": f"Setting write capacity units to {v}.",
                    "Cause": f"monitor alarm {high_alarm} in state ALARM triggered policy ${carts}-scaling-policy",
                    "StartTime": iso(when - timedelta(seconds=20)),
                    "EndTime": iso(when),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set write capacity units to {v}. Change successfully fulfilled by dynamodb.",
                },
            }
        )
        rec = acct.ct(
            when - timedelta(seconds=19),
            "dynamodb.amazonaws.com",
            "UpdateTable",
            slr_id,
            {
                "tableName": carts,
                "provisionedThroughput": {"readCapacityUnits": provisioned_r, "writeCapacityUnits": v},
            },
            {
                "tableDescription": {
                    "tableName": carts,
                    "tableStatus": "UPDATING",
                    "provisionedThroughput": {
                        "readCapacityUnits": provisioned_r,
                        "writeCapacityUnits": prev,
                        "numberOfDecreasesToday": 0,
                        "lastIncreaseDateTime": when.strftime("%b %d, %Y, %I:%M:%S %p"),
                    },
                }
            },
            False,
            agent="application-autoscaling.amazonaws.com",
            ip="application-autoscaling.amazonaws.com",
        )
        rec["userIdentity"]["invokedBy"] = "application-autoscaling.amazonaws.com"
    # a scale-in activity earlier in the morning (normal)
    early = start + timedelta(minutes=rng.randint(20, 60))
    acct.events.append(
        {
            "source": "application_autoscaling",
            "item": {
                "ActivityId": uid(rng),
                "ServiceNamespace": "dynamodb",
                "ResourceId": rid,
                "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
                "Description": "Setting read capacity units to 20.",
                "Cause": f"monitor alarm TargetTracking-{rid}-ProvisionedCapacityLow-{uid(rng)} in state ALARM triggered policy ${carts}-read-scaling-policy",
                "StartTime": iso(early),
                "EndTime": iso(early + timedelta(seconds=25)),
                "StatusCode": "Successful",
                "StatusMessage": "Successfully set read capacity units to 20. Change successfully fulfilled by dynamodb.",
            },
        }
    )
    util = acct.alarm(
        high_alarm,
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        dt,
        "Sum",
        round(maxw * 0.7 * 60, 1),
        "GreaterThanThreshold",
        2,
        "ALARM",
        f"Threshold Crossed: 2 datapoints [{round(consumed(now - timedelta(minutes=2)) * 60, 1)} ({(now - timedelta(minutes=2)).strftime('%d/%m/%y %H:%M:%S')}), {round(consumed(now - timedelta(minutes=3)) * 60, 1)} ({(now - timedelta(minutes=3)).strftime('%d/%m/%y %H:%M:%S')})] were greater than the threshold ({round(maxw * 0.7 * 60, 1)}).",
        steps[-1][0] + timedelta(minutes=2),
        f"arn:aws:autoscaling:{REGION}:{acct.account}:scalingPolicy:{uid(rng)}",
        treat_missing="missing",
        description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy arn:aws:autoscaling:{REGION}:{acct.account}:scalingPolicy:{carts}-scaling-policy.",
    )
    util["OKActions"] = []
    acct.transition(
        util,
        onset + timedelta(minutes=2),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints were greater than the threshold.",
    )
    acct.transition(
        util,
        steps[1][0] + timedelta(minutes=1),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 datapoints were not greater than the threshold.",
    )
    acct.transition(
        util,
        steps[2][0] - timedelta(minutes=1),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 datapoints were greater than the threshold.",
    )
    thr = acct.alarm(
        f"{carts}-write-throttles",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
        dt,
        "Sum",
        50,
        "GreaterThanThreshold",
        3,
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (50.0).",
        onset + timedelta(minutes=12),
        shop.topic,
        description="Carts table write throttling",
        datapoints=3,
    )
    acct.transition(thr, onset + timedelta(minutes=3), "OK", "ALARM", thr["StateReason"])
    acct.transition(
        thr,
        onset + timedelta(minutes=8),
        "ALARM",
        "OK",
        "Threshold Crossed: 2 out of the last 3 datapoints were not greater than the threshold (50.0).",
    )
    acct.transition(thr, onset + timedelta(minutes=12), "OK", "ALARM", thr["StateReason"])
    acct.alarm(
        f"{cart_fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": cart_fn},
        "Sum",
        25,
        "GreaterThanThreshold",
        5,
        "ALARM",
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (25.0).",
        onset + timedelta(minutes=15),
        shop.topic,
        datapoints=5,
    )
    acct.transition(
        acct.alarms[-1], onset + timedelta(minutes=15), "OK", "ALARM", acct.alarms[-1]["StateReason"]
    )
    acct.alarm(
        f"{app}-cloudfront-5xx",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": shop.dist, "Region": "Global"},
        "Average",
        2,
        "GreaterThanThreshold",
        5,
        "OK",
        "Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (2.0).",
        start - timedelta(days=5),
        shop.topic,
    )

    # --- other changes: marketing's email campaign is not in AWS; a catalog deploy and a frontend release earlier
    shop.code_deploy(catalog_fn, onset - timedelta(minutes=rng.randint(70, 110)))
    shop.web_deploy(onset - timedelta(minutes=rng.randint(30, 50)))
    who = acct.sso(rng.choice(["marta.kowalski", "luis.ortega", "aisha.bello"]))
    acct.ct(
        onset + timedelta(minutes=rng.randint(18, 25)),
        "dynamodb.amazonaws.com",
        "DescribeTable",
        who,
        {"tableName": carts},
        None,
        True,
        agent="console.amazonaws.com",
    )
    acct.ct(
        onset + timedelta(minutes=rng.randint(18, 25)),
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        who,
        {"serviceNamespace": "dynamodb", "resourceIds": [rid]},
        None,
        True,
        agent="console.amazonaws.com",
    )

    # --- logs
    ptee = "ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."

    def lines(t: datetime) -> list[tuple[str, str]]:
        if rng.random() < fail.get(t.replace(second=0, microsecond=0), 0.0) * 1.6:
            return [
                (
                    "ERROR",
                    json.dumps(
                        {
                            "level": "ERROR",
                            "message": "addToCart failed",
                            "service": cart_fn,
                            "field": "Mutation.addToCart",
                            "error": {
                                "name": "ProvisionedThroughputExceededException",
                                "$metadata": {
                                    "httpStatusCode": 400,
                                    "attempts": 3,
                                    "totalRetryDelay": rng.randint(180, 900),
                                },
                            },
                        }
                    ),
                ),
                (
                    "ERROR",
                    "Invoke Error \t"
                    + json.dumps(
                        {
                            "errorType": "ProvisionedThroughputExceededException",
                            "errorMessage": ptee.split(": ", 1)[1],
                            "name": "ProvisionedThroughputExceededException",
                            "stack": [
                                ptee,
                                "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)",
                            ],
                        }
                    ),
                ),
            ]
        return [
            (
                "INFO",
                json.dumps(
                    {
                        "level": "INFO",
                        "message": "cart updated",
                        "service": cart_fn,
                        "field": rng.choice(
                            [
                                "Mutation.addToCart",
                                "Mutation.addToCart",
                                "Mutation.updateCartLine",
                                "Query.cart",
                            ]
                        ),
                        "lines": rng.randint(1, 7),
                    }
                ),
            )
        ]

    shop.resolver_logs(cart_fn, 20, lines, lambda t: rng.uniform(30, 60))

    event = acct.alarm_event(
        thr,
        onset + timedelta(minutes=12),
        thr["StateReason"],
        "Threshold Crossed: 2 out of the last 3 datapoints were not greater than the threshold (50.0).",
    )
    tz = rng.choice(["America/New_York", "America/Chicago"])
    local = onset.astimezone(ZoneInfo(tz)).strftime("%-I:%M")
    question = f"lots of 'couldn't add to cart' complaints since the promo email went out around {local}. is the site overloaded? we did ship a frontend release earlier today"
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": carts,
            "category": "limit",
            "failure_mode": "autoscaling-max-write-capacity-reached",
        },
        "also_accept": [rid, f"arn:aws:dynamodb:{REGION}:{acct.account}:table/{carts}"],
        "actions": ["scale", "reconfigure"],
        "chain": [carts, cart_fn, f"{app}-graphql-prod"],
    }
    m = manifest(acct, TITLE, {"question": question, "alarm_event": event, "timezone": tz}, truth)
    return Bundle(Manifest.model_validate(m), records(acct))
