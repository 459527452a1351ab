"""No fault: a limited-edition drop sells out, and the conditional-check alarm on the inventory table pages."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzzc import Account, Shop, alnum, manifest, records, uid, window

NAME = "limited-drop-conditional-check-page"
TITLE = "Paged for inventory table conditional-check failures right as the limited drop opened"
SUMMARY = (
    "A scheduled limited-edition drop opens; thousands of shoppers race for a few hundred units, the "
    "inventory resolver's conditional reservations fail as designed once stock runs out, and an alarm on "
    "ConditionalCheckFailedRequests pages. Orders went through; nothing is broken."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    start, onset, now, end = window(rng)
    onset = onset.replace(minute=0, second=0)
    if onset - start < timedelta(hours=3, minutes=20):
        start = onset - timedelta(hours=3, minutes=rng.randint(20, 50))
    if now - onset < timedelta(minutes=35):
        now = onset + timedelta(minutes=rng.randint(35, 55))
        end = now
    acct = Account(rng, start, now, end)
    app = rng.choice(["kickvault", "dropline", "threadhaus", "solestack"])
    inv_fn, orders_fn, catalog_fn, drop_fn = (
        f"{app}-inventory-resolver",
        f"{app}-orders-resolver",
        f"{app}-catalog-resolver",
        f"{app}-drop-publisher",
    )
    inv_tbl, orders_tbl, catalog_tbl = f"{app}-inventory", f"{app}-orders", f"{app}-catalog"
    shop = Shop(
        acct, app, onset, [inv_fn, orders_fn, catalog_fn, drop_fn], [inv_tbl, orders_tbl, catalog_tbl]
    )
    created = start - timedelta(days=rng.randint(200, 700))
    for fn, tbl in (
        (inv_fn, inv_tbl),
        (orders_fn, orders_tbl),
        (catalog_fn, catalog_tbl),
        (drop_fn, catalog_tbl),
    ):
        acct.role(f"{fn}-role", "lambda.amazonaws.com", created)
        acct.function(
            fn,
            f"{fn}-role",
            512,
            10 if fn != drop_fn else 60,
            start - timedelta(days=rng.randint(2, 30))
            if fn != inv_fn
            else onset - timedelta(minutes=rng.randint(100, 150)),
            {"TABLE_NAME": tbl, "POWERTOOLS_SERVICE_NAME": fn},
        )
    acct.table(inv_tbl, created, [("sku", "HASH")], items=rng.randint(3000, 30000))
    acct.table(
        orders_tbl,
        created,
        [("orderId", "HASH")],
        [("byCustomer", [("customerId", "HASH"), ("createdAt", "RANGE")])],
        items=rng.randint(100000, 800000),
    )
    acct.table(catalog_tbl, created, [("sku", "HASH")], items=rng.randint(3000, 30000))

    units = rng.choice([250, 400, 600, 800])
    crowd = rng.uniform(8, 20)  # reservation attempts per unit of stock
    sellout = timedelta(minutes=rng.randint(4, 9))
    sku = f"{rng.choice(['AJ', 'NB', 'YZ', 'SB'])}{rng.randint(1000, 9999)}-{rng.choice(['BLK', 'WHT', 'SAIL', 'RED'])}"

    def drop(t: datetime) -> float:
        """Relative crowd at the drop, 0 outside it."""
        if t < onset - timedelta(minutes=10):
            return 0.0
        if t < onset:
            return 0.3 * (1 - (onset - t) / timedelta(minutes=10))
        x = (t - onset) / timedelta(minutes=1)
        return 1.0 / (1 + x / 6.0)

    base = rng.uniform(500, 1200)
    acct.web_traffic(shop.dist, shop.api_id, base, boost=lambda t: 1 + drop(t) * 5)
    shop.cognito_traffic(alnum(rng, 26, upper=False), base / 40)
    attempts_per_min = units * crowd / 10.0

    def attempts(t: datetime) -> float:
        return base * 0.05 + attempts_per_min * drop(t) * (1.0 if t >= onset else 0.0)

    def sold(t: datetime) -> float:
        if onset <= t < onset + sellout:
            return units / (sellout / timedelta(minutes=1))
        return base * 0.01 * rng.uniform(0.6, 1.4)

    def ccf(t: datetime) -> float | None:
        if t < onset:
            return rng.choice([None, None, None, 1.0, 2.0])
        return max(0.0, attempts(t) - sold(t)) * rng.uniform(0.93, 1.05)

    acct.lambda_metrics(
        inv_fn,
        attempts,
        lambda t: rng.uniform(18, 34) + drop(t) * 9,
        errors=lambda t: rng.choice([0] * 10 + [1]),
    )
    acct.lambda_metrics(orders_fn, lambda t: sold(t) + base * 0.15, lambda t: rng.uniform(40, 75))
    acct.lambda_metrics(
        catalog_fn, lambda t: base * 0.5 * (1 + drop(t) * 5), lambda t: rng.uniform(14, 28) + drop(t) * 6
    )
    di = {"TableName": inv_tbl}
    acct.series("AWS/DynamoDB", "ConditionalCheckFailedRequests", di, "Count", ccf)
    acct.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        di,
        "Count",
        lambda t: attempts(t) * rng.uniform(0.98, 1.02),
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        di,
        "Count",
        lambda t: attempts(t) * 1.5 * rng.uniform(0.9, 1.1),
    )
    acct.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": inv_tbl, "Operation": "UpdateItem"},
        "Milliseconds",
        lambda t: rng.uniform(4, 8) + drop(t) * 1.5,
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": orders_tbl},
        "Count",
        lambda t: sold(t) * 4 * rng.uniform(0.95, 1.05),
    )
    acct.series(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        {"TableName": catalog_tbl},
        "Count",
        lambda t: base * 0.8 * 60 * (1 + drop(t) * 5) * rng.uniform(0.9, 1.1),
    )
    acct.series("AWS/DynamoDB", "UserErrors", {}, "Count", lambda t: float(rng.choice([0, 0, 1, 2])))

    # --- drop publisher run (EventBridge Scheduler at the drop time)
    drop_stream = Account.stream_name(rng, onset)
    acct.lambda_invocation(
        drop_fn,
        drop_stream,
        onset - timedelta(seconds=rng.randint(1, 4)),
        rng.uniform(600, 1400),
        512,
        121,
        [
            (
                "INFO",
                json.dumps(
                    {
                        "level": "INFO",
                        "message": "publishing drop",
                        "service": drop_fn,
                        "sku": sku,
                        "units": units,
                        "channel": "web",
                    }
                ),
            ),
            ("INFO", json.dumps({"level": "INFO", "message": "drop live", "service": drop_fn, "sku": sku})),
        ],
        init=rng.uniform(300, 450),
    )
    acct.lambda_metrics(
        drop_fn,
        lambda t: 1.0 if t == onset.replace(second=0) - timedelta(minutes=1) else 0.0,
        lambda t: rng.uniform(700, 1300),
        errors=lambda t: 0.0,
    )
    sched = acct.role_identity(
        f"{app}-scheduler-invoke", uid(rng).replace("-", "")[:32], "scheduler.amazonaws.com"
    )
    rec = acct.ct(
        onset - timedelta(seconds=5),
        "lambda.amazonaws.com",
        "Invoke",
        sched,
        {
            "functionName": f"arn:aws:lambda:us-east-1:{acct.account}:function:{drop_fn}",
            "invocationType": "Event",
        },
        None,
        False,
        agent="scheduler.amazonaws.com",
        ip="scheduler.amazonaws.com",
    )
    rec["managementEvent"] = False
    rec["eventCategory"] = "Data"
    rec["userIdentity"]["invokedBy"] = "scheduler.amazonaws.com"
    # a scheduled catalog change the merch team set up earlier, and an inventory resolver deploy
    shop.code_deploy(inv_fn, onset - timedelta(minutes=rng.randint(100, 150)))
    shop.web_deploy(onset - timedelta(minutes=rng.randint(35, 55)))

    # --- inventory resolver logs: reservations, then sold out responses
    left = [units]

    def lines(t: datetime) -> list[tuple[str, str]]:
        user = "u_" + alnum(rng, 10, upper=False)
        if t >= onset and left[0] > 0 and rng.random() < 0.25:
            left[0] -= rng.randint(1, max(1, units // 40))
            return [
                (
                    "INFO",
                    json.dumps(
                        {
                            "level": "INFO",
                            "message": "reservation created",
                            "service": inv_fn,
                            "sku": sku,
                            "user": user,
                            "remaining": max(0, left[0]),
                        }
                    ),
                )
            ]
        if t >= onset:
            reason = "SOLD_OUT" if left[0] <= 0 else "RACE_LOST"
            return [
                (
                    "INFO",
                    json.dumps(
                        {
                            "level": "INFO",
                            "message": "reservation rejected",
                            "service": inv_fn,
                            "sku": sku,
                            "user": user,
                            "reason": reason,
                            "error": "ConditionalCheckFailedException",
                        }
                    ),
                )
            ]
        other = (
            f"{rng.choice(['AJ', 'NB', 'SB'])}{rng.randint(1000, 9999)}-{rng.choice(['BLK', 'WHT', 'GRY'])}"
        )
        return [
            (
                "INFO",
                json.dumps(
                    {
                        "level": "INFO",
                        "message": "reservation created",
                        "service": inv_fn,
                        "sku": other,
                        "user": user,
                    }
                ),
            )
        ]

    shop.resolver_logs(inv_fn, 12, lines, lambda t: rng.uniform(20, 40) + drop(t) * 8)

    # --- alarms: the one that paged, the same alarm's earlier drop, and quiet ones
    thr = rng.choice([50, 100])
    page = acct.alarm(
        f"{inv_tbl}-conditional-check-failures",
        "AWS/DynamoDB",
        "ConditionalCheckFailedRequests",
        di,
        "Sum",
        thr,
        "GreaterThanThreshold",
        2,
        "ALARM",
        f"Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold ({thr:.1f}).",
        onset + timedelta(minutes=2),
        shop.topic,
        description="Inventory writes rejected by condition - possible oversell/stock sync problem",
        datapoints=2,
    )
    last_drop = onset - timedelta(days=7)
    acct.transition(page, last_drop + timedelta(minutes=2), "OK", "ALARM", page["StateReason"])
    acct.transition(
        page,
        last_drop + timedelta(minutes=31),
        "ALARM",
        "OK",
        f"Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold ({thr:.1f}).",
    )
    acct.transition(page, onset + timedelta(minutes=2), "OK", "ALARM", page["StateReason"])
    acct.alarm(
        f"{inv_fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": inv_fn},
        "Sum",
        5,
        "GreaterThanThreshold",
        3,
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (5.0).",
        start - timedelta(days=3),
        shop.topic,
    )
    acct.alarm(
        f"{app}-appsync-5xx",
        "AWS/AppSync",
        "5XXError",
        {"GraphQLAPIId": shop.api_id},
        "Sum",
        10,
        "GreaterThanThreshold",
        3,
        "OK",
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (10.0).",
        start - timedelta(days=9),
        shop.topic,
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
        start - timedelta(days=6),
        shop.topic,
    )

    event = acct.alarm_event(
        page,
        onset + timedelta(minutes=2),
        page["StateReason"],
        f"Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold ({thr:.1f}).",
    )
    tz = rng.choice(["America/New_York", "America/Los_Angeles"])
    local = onset.astimezone(ZoneInfo(tz)).strftime("%-I%p").lower()
    question = f"got paged for conditional check failures on {inv_tbl} right when the {sku} drop went live at {local}. are people failing to check out? did we oversell?"
    truth: dict[str, Any] = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": [],
        "actions": [],
        "chain": [],
    }
    m = manifest(acct, TITLE, {"question": question, "alarm_event": event, "timezone": tz}, truth)
    return Bundle(Manifest.model_validate(m), records(acct))
