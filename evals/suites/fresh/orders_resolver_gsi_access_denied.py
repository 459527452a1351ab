"""My-orders page empty after a least-privilege edit to the orders resolver's inline policy drops the GSI ARN."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zzzzc import REGION, Account, Shop, manifest, records, uid, window

NAME = "orders-resolver-gsi-access-denied"
TITLE = "Customers say 'My orders' shows nothing since mid-afternoon; orders resolver errors alarm"
SUMMARY = (
    "An engineer tightened the orders resolver role's inline DynamoDB policy to the table ARN only, so "
    "Query on the byCustomer GSI is denied and the My orders page comes back empty."
)


def _policy(table_arn: str, with_index: bool, sid: str = "OrdersTable") -> dict[str, object]:
    res = [table_arn, f"{table_arn}/index/*"] if with_index else [table_arn]
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": sid,
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"],
                "Resource": res,
            }
        ],
    }


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    start, onset, now, end = window(rng)
    acct = Account(rng, start, now, end)
    app = rng.choice(["shopfront", "pantry", "brightcart", "loomly"])
    orders_fn = f"{app}-orders-resolver"
    catalog_fn = f"{app}-catalog-resolver"
    cart_fn = f"{app}-cart-resolver"
    orders_tbl = f"{app}-orders"
    shop = Shop(
        acct, app, onset, [orders_fn, catalog_fn, cart_fn], [orders_tbl, f"{app}-catalog", f"{app}-carts"]
    )
    created = start - timedelta(days=rng.randint(200, 600))
    role = f"{orders_fn}-role"
    for fn in (orders_fn, catalog_fn, cart_fn):
        acct.role(f"{fn}-role", "lambda.amazonaws.com", created)
    mod = {
        orders_fn: start - timedelta(days=6),
        catalog_fn: onset - timedelta(minutes=rng.randint(50, 80)),
        cart_fn: start - timedelta(days=2),
    }
    tables = {orders_fn: orders_tbl, catalog_fn: f"{app}-catalog", cart_fn: f"{app}-carts"}
    for fn in (orders_fn, catalog_fn, cart_fn):
        acct.function(
            fn, f"{fn}-role", 512, 10, mod[fn], {"TABLE_NAME": tables[fn], "POWERTOOLS_SERVICE_NAME": fn}
        )
    orders_arn = acct.table(
        orders_tbl,
        created,
        [("orderId", "HASH")],
        [("byCustomer", [("customerId", "HASH"), ("createdAt", "RANGE")])],
        items=rng.randint(400000, 2000000),
    )
    acct.table(f"{app}-catalog", created, [("sku", "HASH")], items=rng.randint(3000, 40000))
    acct.table(f"{app}-carts", created, [("cartId", "HASH")], items=rng.randint(20000, 90000))
    acct.res(
        "iam",
        "RoleInlinePolicy",
        {"RoleName": role, "PolicyName": "dynamodb-orders", "PolicyDocument": _policy(orders_arn, False)},
    )
    acct.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role,
            "PolicyName": "AWSLambdaBasicExecutionRole",
            "PolicyArn": "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        },
    )
    acct.res(
        "iam",
        "RoleAttachedPolicy",
        {
            "RoleName": role,
            "PolicyName": "AWSXRayDaemonWriteAccess",
            "PolicyArn": "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        },
    )

    # --- changes: an innocent catalog deploy, a frontend release, an earlier policy edit on another role, the culprit
    shop.code_deploy(catalog_fn, mod[catalog_fn])
    shop.web_deploy(onset - timedelta(minutes=rng.randint(8, 20)))
    engineer = rng.choice(["priya.raman", "tomasz.nowak", "dana.whitfield", "kenji.sato"])
    who = acct.sso(engineer)
    other_role = f"{cart_fn}-role"
    carts_arn = f"arn:aws:dynamodb:{REGION}:{acct.account}:table/{app}-carts"
    acct.ct(
        onset - timedelta(minutes=rng.randint(25, 40)),
        "iam.amazonaws.com",
        "PutRolePolicy",
        who,
        {
            "roleName": other_role,
            "policyName": "dynamodb-carts",
            "policyDocument": json.dumps(_policy(carts_arn, False, "CartsTable")),
        },
        None,
        False,
        agent="AWS Internal",
    )
    culprit = acct.ct(
        onset - timedelta(seconds=rng.randint(20, 90)),
        "iam.amazonaws.com",
        "PutRolePolicy",
        who,
        {
            "roleName": role,
            "policyName": "dynamodb-orders",
            "policyDocument": json.dumps(_policy(orders_arn, False)),
        },
        None,
        False,
        agent="AWS Internal",
    )
    acct.ct(
        onset - timedelta(minutes=41),
        "iam.amazonaws.com",
        "GetRolePolicy",
        who,
        {"roleName": other_role, "policyName": "dynamodb-carts"},
        None,
        True,
        agent="AWS Internal",
    )
    acct.ct(
        onset - timedelta(minutes=3),
        "iam.amazonaws.com",
        "GetRolePolicy",
        who,
        {"roleName": role, "policyName": "dynamodb-orders"},
        None,
        True,
        agent="AWS Internal",
    )
    acct.ct(
        onset + timedelta(minutes=2),
        "iam.amazonaws.com",
        "ListRolePolicies",
        who,
        {"roleName": role},
        None,
        True,
        agent="AWS Internal",
    )

    # --- traffic
    base = rng.uniform(900, 2200)
    shop.cognito_traffic("4" + uid(rng).replace("-", "")[:25], base / 40)
    acct.web_traffic(shop.dist, shop.api_id, base)

    def broken(t: datetime) -> bool:
        return t >= onset

    share = rng.uniform(0.18, 0.3)
    acct.lambda_metrics(
        orders_fn,
        lambda t: base * 0.22 * (0.5 + 0.5 * rng.random()) + 5,
        lambda t: rng.uniform(38, 60) if not broken(t) else rng.uniform(22, 40),
        errors=lambda t: (
            (base * 0.22 * share * rng.uniform(0.8, 1.1)) if broken(t) else rng.choice([0] * 14 + [1])
        ),
    )
    acct.lambda_metrics(
        catalog_fn,
        lambda t: base * 0.55 * rng.uniform(0.9, 1.1),
        lambda t: rng.uniform(18, 30),
        dur_max=lambda t: (
            rng.uniform(2600, 3400)
            if timedelta(minutes=3) <= t - mod[catalog_fn] <= timedelta(minutes=6)
            else rng.uniform(90, 240)
        ),
    )
    acct.lambda_metrics(cart_fn, lambda t: base * 0.18 * rng.uniform(0.9, 1.1), lambda t: rng.uniform(25, 45))

    def rcu_fn(r: float, n: str) -> Callable[[datetime], float]:
        return lambda t: (
            base * r * 60 * rng.uniform(0.85, 1.1) * (0.45 if n == orders_tbl and broken(t) else 1.0)
        )

    for tbl, rcu in ((orders_tbl, 0.4), (f"{app}-catalog", 1.2), (f"{app}-carts", 0.3)):
        acct.series(
            "AWS/DynamoDB", "ConsumedReadCapacityUnits", {"TableName": tbl}, "Count", rcu_fn(rcu, tbl)
        )
    acct.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": orders_tbl, "Operation": "Query"},
        "Milliseconds",
        lambda t: None if broken(t) else rng.uniform(4, 9),
    )
    acct.series(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        {"TableName": orders_tbl, "Operation": "GetItem"},
        "Milliseconds",
        lambda t: rng.uniform(2.5, 5),
    )
    acct.series(
        "AWS/DynamoDB",
        "UserErrors",
        {},
        "Count",
        lambda t: float(round(base * 0.22 * share)) if broken(t) else float(rng.choice([0, 0, 0, 1, 2])),
    )

    # --- logs
    deny = (
        f"AccessDeniedException: User: arn:aws:sts::{acct.account}:assumed-role/{role}/{orders_fn} is not authorized to perform: "
        f"dynamodb:Query on resource: {orders_arn}/index/byCustomer because no identity-based policy allows the dynamodb:Query action"
    )

    def lines(t: datetime) -> list[tuple[str, str]]:
        if not broken(t) or rng.random() < 0.45:
            op = rng.choice(["getOrder", "listMyOrders", "listMyOrders"])
            if broken(t):
                op = "getOrder"
            return [
                (
                    "INFO",
                    json.dumps(
                        {
                            "level": "INFO",
                            "message": "resolved",
                            "field": f"Query.{op}",
                            "service": orders_fn,
                            "items": rng.randint(1, 24) if op == "listMyOrders" else 1,
                        }
                    ),
                )
            ]
        return [
            (
                "ERROR",
                json.dumps(
                    {
                        "level": "ERROR",
                        "message": "listMyOrders failed",
                        "service": orders_fn,
                        "field": "Query.listMyOrders",
                        "error": {
                            "name": "AccessDeniedException",
                            "message": deny.split(": ", 1)[1],
                            "$metadata": {
                                "httpStatusCode": 400,
                                "requestId": uid(rng).replace("-", "").upper()[:32],
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
                        "errorType": "AccessDeniedException",
                        "errorMessage": deny.split(": ", 1)[1],
                        "name": "AccessDeniedException",
                        "stack": [
                            deny,
                            "    at throwDefaultError (/var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:838:20)",
                            "    at /var/runtime/node_modules/@aws-sdk/node_modules/@smithy/smithy-client/dist-cjs/index.js:847:5",
                        ],
                    }
                ),
            ),
        ]

    shop.resolver_logs(orders_fn, 25, lines, lambda t: rng.uniform(35, 70))
    shop.resolver_logs(
        catalog_fn,
        40,
        lambda t: [
            (
                "INFO",
                json.dumps(
                    {"level": "INFO", "message": "resolved", "field": "Query.products", "service": catalog_fn}
                ),
            )
        ],
        lambda t: rng.uniform(15, 30),
    )
    # AppSync field-level error log (fieldLogLevel ERROR)
    t = onset + timedelta(seconds=20)
    while t < now:
        acct.log(
            f"/aws/appsync/apis/{shop.api_id}",
            uid(rng).replace("-", ""),
            t,
            json.dumps(
                {
                    "logType": "RequestSummary",
                    "requestId": uid(rng),
                    "graphQLAPIId": shop.api_id,
                    "statusCode": 200,
                    "latency": rng.randint(60, 180),
                }
            ),
        )
        acct.log(
            f"/aws/appsync/apis/{shop.api_id}",
            uid(rng).replace("-", ""),
            t + timedelta(milliseconds=90),
            json.dumps(
                {
                    "fieldName": "listMyOrders",
                    "parentType": "Query",
                    "path": ["listMyOrders"],
                    "logType": "ResponseMapping",
                    "graphQLAPIId": shop.api_id,
                    "fieldInError": True,
                    "errors": [f"Lambda:Unhandled: {deny.split(': ', 1)[1]}"],
                }
            ),
        )
        t += timedelta(seconds=rng.randint(30, 120))

    # --- alarms
    a_err = acct.alarm(
        f"{orders_fn}-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": orders_fn},
        "Sum",
        5,
        "GreaterThanThreshold",
        3,
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (5.0).",
        onset + timedelta(minutes=3),
        shop.topic,
        description="Orders resolver throwing errors",
        datapoints=3,
    )
    acct.transition(a_err, onset + timedelta(minutes=3), "OK", "ALARM", a_err["StateReason"])
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
        start - timedelta(days=8),
        shop.topic,
    )
    ac = acct.alarm(
        f"{catalog_fn}-duration-max",
        "AWS/Lambda",
        "Duration",
        {"FunctionName": catalog_fn},
        "Maximum",
        2500,
        "GreaterThanThreshold",
        2,
        "OK",
        "Threshold Crossed: 1 out of the last 2 datapoints was not greater than the threshold (2500.0).",
        mod[catalog_fn] + timedelta(minutes=9),
        shop.topic,
        datapoints=2,
    )
    acct.transition(
        ac,
        mod[catalog_fn] + timedelta(minutes=5),
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (2500.0).",
    )
    acct.transition(ac, mod[catalog_fn] + timedelta(minutes=9), "ALARM", "OK", ac["StateReason"])

    reason = a_err["StateReason"]
    event = acct.alarm_event(
        a_err,
        onset + timedelta(minutes=3),
        reason,
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (5.0).",
    )
    tz = rng.choice(["America/New_York", "America/Chicago", "America/Los_Angeles"])
    local = onset.astimezone(ZoneInfo(tz)).strftime("%-I:%M%p").lower()
    question = f"support is getting tickets that the 'My orders' page is empty for logged-in customers, started around {local}. site itself loads fine. is the orders table ok?"
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": role,
            "category": "change",
            "failure_mode": "iam-policy-drops-gsi-resource",
            "event_id": culprit["eventID"],
        },
        "also_accept": [f"arn:aws:iam::{acct.account}:role/{role}", "dynamodb-orders"],
        "actions": ["rollback"],
        "chain": [role, orders_fn, f"{app}-graphql-prod", "My orders page"],
    }
    m = manifest(acct, TITLE, {"question": question, "alarm_event": event, "timezone": tz}, truth)
    return Bundle(Manifest.model_validate(m), records(acct))
