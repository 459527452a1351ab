"""Marketplace app order placement failing at the dinner peak, just after a place-order deploy."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzz import (
    UTC,
    Kit,
    dinner_curve,
    iso,
    lambda_metrics,
    marketplace,
    ms,
    read_calls,
)

NAME = "app-orders-failing-at-dinner-after-place-order-deploy"
TITLE = "Customers can't place orders in the app since the evening rush; place-order was deployed just before"
SUMMARY = "A usage plan's per-key throttle was edited down in the console (meant for a sandbox plan) and the mobile app key is throttled with 429s at the dinner peak."

ZONES = {
    "eu-west-1": ("Europe/Dublin", 0),
    "eu-west-2": ("Europe/London", 0),
    "eu-central-1": ("Europe/Berlin", 1),
}


def build(seed: int) -> Bundle:
    import random

    pick = random.Random(f"{NAME}/{seed}")
    day = datetime(2026, 11, 2, tzinfo=UTC) + timedelta(days=pick.randint(0, 40))
    local_onset_min = 18 * 60 + pick.randint(38, 62)
    # region decides the offset; pick it with the kit's generator below, so build the kit at a provisional onset
    k = Kit(
        seed,
        NAME,
        day + timedelta(minutes=local_onset_min),
        timedelta(hours=3, minutes=pick.randint(12, 40)),
        timedelta(minutes=pick.randint(38, 50)),
    )
    zone, off = ZONES[k.region]
    shift = timedelta(hours=off)
    k.onset -= shift
    k.start -= shift
    k.now -= shift
    onset = k.onset
    scale = pick.uniform(8.0, 11.0)
    new_rate, new_burst = float(pick.choice([40, 50, 60])), pick.choice([80, 100])

    deploy_at = onset - timedelta(minutes=pick.randint(14, 22))
    m = marketplace(k, fn_overrides={"place-order": {"modified": deploy_at}})
    api = {"ApiName": "marketplace-api", "Stage": "prod"}

    def lh(t: datetime) -> float:
        return (t.hour + off) % 24 + t.minute / 60

    def orders(t: datetime) -> float:
        return dinner_curve(lh(t)) * scale

    def rps(t: datetime) -> float:
        return orders(t) * 9.2 / 60

    def mobile_share(t: datetime) -> float:
        return 0.86

    def throttled(t: datetime) -> float:
        if t < onset:
            return 0.0
        mob = rps(t) * mobile_share(t)
        return max(0.0, (mob - new_rate) / mob) if mob > 0 else 0.0

    # --- usage plans and keys --------------------------------------------------------------------
    plan_mobile, plan_courier, plan_sandbox = k.alnum(6), k.alnum(6), k.alnum(6)
    key_mobile, key_courier = k.alnum(10), k.alnum(10)
    for pid, pname, desc, rate, burst in [
        (plan_mobile, "mobile-app-plan", "Customer iOS/Android apps (single app key)", new_rate, new_burst),
        (plan_courier, "courier-app-plan", "Courier app", 200.0, 400),
        (plan_sandbox, "partner-sandbox-plan", "Restaurant POS partners, sandbox", 100.0, 200),
    ]:
        k.res(
            "apigateway",
            "UsagePlan",
            {
                "id": pid,
                "name": pname,
                "description": desc,
                "apiStages": [{"apiId": m["api_id"], "stage": "prod"}],
                "throttle": {"burstLimit": burst, "rateLimit": rate},
                "tags": {"team": "platform"},
            },
        )

    # --- CloudTrail ------------------------------------------------------------------------------
    ci = k.who_user("github-actions-deploy", "GitHubActions")
    ci_agent = (
        "aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.554.0"
    )
    fn = m["fn"]["place-order"]
    k.ct(
        deploy_at - timedelta(seconds=40),
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        params={"functionName": "place-order", "publish": False, "dryRun": False},
        resp={
            "functionName": "place-order",
            "functionArn": fn,
            "runtime": "python3.12",
            "codeSize": 4_812_331,
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
        read_only=False,
        agent=ci_agent,
        ip="20.42.11.8",
    )
    k.ct(
        deploy_at,
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        ci,
        params={"functionName": "place-order"},
        resp={"functionName": "place-order", "functionArn": fn + ":214", "version": "214"},
        read_only=False,
        agent=ci_agent,
        ip="20.42.11.8",
    )
    k.ct(
        deploy_at + timedelta(seconds=6),
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        ci,
        params={"functionName": "place-order", "name": "live", "functionVersion": "214"},
        resp={"aliasArn": fn + ":live", "name": "live", "functionVersion": "214"},
        read_only=False,
        agent=ci_agent,
        ip="20.42.11.8",
    )
    k.ct(
        onset - timedelta(hours=2, minutes=pick.randint(0, 40)),
        "events.amazonaws.com",
        "PutRule",
        k.who_user("terraform-apply", "atlantis"),
        params={
            "name": "order-analytics-firehose",
            "eventPattern": '{"source":["marketplace.orders"]}',
            "state": "ENABLED",
            "eventBusName": "marketplace",
        },
        resp={"ruleArn": k.arn("events", "rule/marketplace/order-analytics-firehose")},
        read_only=False,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.45.0",
    )
    k.ct(
        onset - timedelta(hours=1, minutes=pick.randint(5, 50)),
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        k.who_user("terraform-apply", "atlantis"),
        params={
            "queueUrl": f"https://sqs.{k.region}.amazonaws.com/{k.account}/receipts-queue",
            "attributes": {"VisibilityTimeout": "180"},
        },
        read_only=False,
        agent="APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.45.0",
    )
    admin = k.who_user("AWSReservedSSO_PlatformAdmin_2b8e41d07c3a9f55", "niamh.o@marketplace", console=True)
    console = "AWS Internal"
    edit_at = onset - timedelta(seconds=pick.randint(20, 90))
    console_reads: list[tuple[timedelta, str, dict[str, object]]] = [
        (timedelta(minutes=-9), "GetUsagePlans", {"limit": 500}),
        (timedelta(minutes=-8), "GetUsagePlan", {"usagePlanId": plan_sandbox}),
        (timedelta(minutes=-7), "GetUsagePlanKeys", {"usagePlanId": plan_sandbox, "limit": 500}),
        (timedelta(minutes=-3), "GetUsagePlans", {"limit": 500}),
        (timedelta(minutes=-2), "GetUsagePlan", {"usagePlanId": plan_mobile}),
    ]
    for dt, name, params in console_reads:
        k.ct(
            edit_at + dt,
            "apigateway.amazonaws.com",
            name,
            admin,
            params=params,
            read_only=True,
            agent=console,
        )
    culprit = k.ct(
        edit_at,
        "apigateway.amazonaws.com",
        "UpdateUsagePlan",
        admin,
        params={
            "usagePlanId": plan_mobile,
            "patch": {
                "patchOperations": [
                    {"op": "replace", "path": "/throttle/rateLimit", "value": str(int(new_rate))},
                    {"op": "replace", "path": "/throttle/burstLimit", "value": str(new_burst)},
                ]
            },
        },
        resp={
            "id": plan_mobile,
            "name": "mobile-app-plan",
            "description": "Customer iOS/Android apps (single app key)",
            "apiStages": [{"apiId": m["api_id"], "stage": "prod"}],
            "throttle": {"burstLimit": new_burst, "rateLimit": new_rate},
            "self": {"__recursiveReference": True},
        },
        read_only=False,
        agent=console,
        resources=[
            {
                "accountId": k.account,
                "type": "AWS::ApiGateway::UsagePlan",
                "ARN": f"arn:aws:apigateway:{k.region}::/usageplans/{plan_mobile}",
            }
        ],
    )
    k.ct(
        edit_at + timedelta(minutes=1),
        "apigateway.amazonaws.com",
        "GetUsagePlan",
        admin,
        params={"usagePlanId": plan_sandbox},
        read_only=True,
        agent=console,
    )
    k.noise_reads(
        pick.randint(55, 80),
        [*read_calls(k), ("apigateway.amazonaws.com", "GetStages", {"restApiId": m["api_id"]})],
    )

    # --- metrics ---------------------------------------------------------------------------------
    for t in k.minutes():
        n = rps(t) * 60
        thr = throttled(t) * n * mobile_share(t)
        base4 = n * 0.012
        k.put("AWS/ApiGateway", "Count", api, t, round(k.jitter(n, 0.05)), "Count")
        k.put("AWS/ApiGateway", "4XXError", api, t, round(k.jitter(base4, 0.3) + thr), "Count")
        k.put("AWS/ApiGateway", "5XXError", api, t, round(k.r.random() * 2.2 * (n / 6000)), "Count")
        served = n - thr
        lat = k.jitter(118, 0.08)
        k.stats(
            "AWS/ApiGateway", "Latency", api, t, n, (lat * served + 6 * thr) / n, 4, lat * 6.5, "Milliseconds"
        )
        k.stats("AWS/ApiGateway", "IntegrationLatency", api, t, served, lat - 14, 2, lat * 6, "Milliseconds")

    def ok(t: datetime) -> float:
        return 1 - throttled(t)

    lambda_metrics(
        k,
        "place-order",
        lambda t: orders(t) * 1.04 * (1 - throttled(t) * 0.86),
        lambda t: orders(t) * 0.002,
        lambda t: 240.0 if t < deploy_at else 252.0,
    )
    lambda_metrics(
        k,
        "delivery-quote",
        lambda t: orders(t) * 2.1 * (1 - throttled(t) * 0.86),
        lambda t: orders(t) * 0.001,
        lambda t: 180.0,
    )
    lambda_metrics(
        k, "menu-read", lambda t: orders(t) * 6.0 * (1 - throttled(t) * 0.86), lambda t: 0.0, lambda t: 42.0
    )
    lambda_metrics(
        k,
        "courier-dispatch",
        lambda t: orders(t - timedelta(minutes=8)) * ok(t - timedelta(minutes=8)) / 4,
        lambda t: 0.0,
        lambda t: 2100.0,
    )
    lambda_metrics(
        k, "restaurant-notify", lambda t: orders(t) * ok(t) * 0.95 / 3, lambda t: 0.0, lambda t: 160.0
    )
    lambda_metrics(
        k,
        "receipt-mailer",
        lambda t: orders(t) * ok(t) / 5,
        lambda t: 0.0 if k.r.random() > 0.03 else 9.0,
        lambda t: 310.0,
    )

    def placed(t: datetime) -> float:
        return orders(t) * ok(t) * 0.86 + orders(t) * 0.14

    for t in k.minutes():
        p = placed(t)
        k.stats(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "orders"},
            t,
            p * 3.1,
            1.9,
            1,
            6,
            "Count",
        )
        k.put(
            "AWS/SNS",
            "NumberOfMessagesPublished",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(p * 3.0, 0.05)),
            "Count",
        )
        k.put(
            "AWS/SNS",
            "NumberOfNotificationsDelivered",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(p * 2.6, 0.05)),
            "Count",
        )
        k.put(
            "AWS/SNS",
            "NumberOfNotificationsFilteredOut",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(p * 6.4, 0.05)),
            "Count",
        )
        for q, f in [
            ("courier-dispatch-queue", 1.0),
            ("restaurant-notify-queue", 1.05),
            ("receipts-queue", 1.0),
        ]:
            s = round(k.jitter(p * f, 0.06))
            k.put("AWS/SQS", "NumberOfMessagesSent", {"QueueName": q}, t, s, "Count")
            k.put("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": q}, t, s, "Count")
            k.put(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": q},
                t,
                round(k.r.uniform(0, 4)),
                "Seconds",
            )
        k.put(
            "AWS/EventBridge/Pipes",
            "Invocations",
            {"PipeName": "orders-stream-to-bus"},
            t,
            round(k.jitter(p * 0.9, 0.05)),
            "Count",
        )

    # --- logs ------------------------------------------------------------------------------------
    group = "/aws/apigateway/marketplace-api-prod-access"
    stream = k.hexid(32)
    paths = [("POST", "/orders", 1.0), ("POST", "/quotes", 2.1), ("GET", "/restaurants/{id}/menu", 6.0)]
    for t in k.minutes():
        for _ in range(5):
            ts = t + timedelta(seconds=k.r.uniform(0, 59))
            method, path, _ = k.r.choices(paths, weights=[p[2] for p in paths])[0]
            mobile = k.r.random() < 0.86
            key = key_mobile if mobile else key_courier
            is429 = mobile and k.r.random() < throttled(t)
            status = (
                "429"
                if is429
                else k.r.choices(
                    ["200", "201", "401", "404"], weights=[88, 10 if method == "POST" else 0, 1, 1]
                )[0]
            )
            if status == "201" and path != "/orders":
                status = "200"
            il = "-" if is429 else str(int(k.r.uniform(20, 300)))
            line = {
                "requestId": k.uid(),
                "ip": f"{k.r.randint(31, 213)}.{k.r.randint(0, 255)}.{k.r.randint(0, 255)}.{k.r.randint(1, 254)}",
                "requestTime": ts.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "httpMethod": method,
                "resourcePath": path,
                "status": status,
                "responseLength": "36" if is429 else str(k.r.randint(90, 9000)),
                "integrationLatency": il,
                "responseLatency": str(int(k.r.uniform(3, 9)))
                if is429
                else str(int(il) + k.r.randint(4, 30)),
                "apiKeyId": key,
                "errorMessage": "Too Many Requests"
                if is429
                else ("Unauthorized" if status == "401" else "-"),
            }
            k.logs.append(
                {
                    "log_group": group,
                    "log_stream": stream,
                    "timestamp": ms(ts),
                    "message": json.dumps(line, separators=(",", ":")),
                }
            )
    lg = "/aws/lambda/place-order"
    st_old, st_new = k.log_stream(k.start, "213"), k.log_stream(deploy_at, "214")
    for t in k.minutes(3):
        st = st_new if t >= deploy_at else st_old
        ts = t + timedelta(seconds=k.r.uniform(0, 100))
        k.lambda_report(
            lg,
            st,
            ts,
            k.r.uniform(150, 420),
            1024,
            k.r.randint(160, 190),
            init=k.r.uniform(900, 1300) if t >= deploy_at and t < deploy_at + timedelta(minutes=3) else None,
        )
        if k.r.random() < 0.12:
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": ms(ts) + 90,
                    "message": f"[WARNING]\t{iso(ts)}\t{k.uid()}\tRestaurant {k.r.randint(1000, 9999)} closed for new orders; returning 409\n",
                }
            )

    # --- alarms ----------------------------------------------------------------------------------
    ops = k.arn("sns", "oncall-pager")
    fired = onset + timedelta(minutes=pick.randint(5, 8))
    a4 = k.alarm(
        "marketplace-api-prod-4xx-spike",
        "AWS/ApiGateway",
        "4XXError",
        api,
        stat="Sum",
        period=300,
        evals=2,
        threshold=float(round(scale * 900, -2)),
        op="GreaterThanThreshold",
        desc="Client errors on marketplace-api prod well above normal (auth, validation, throttling)",
        topic=ops,
        transitions=[
            (
                fired,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold. The most recent datapoints which crossed the threshold: [...]",
            )
        ],
    )
    k.alarm(
        "place-order-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "place-order"},
        stat="Sum",
        period=300,
        evals=2,
        threshold=50.0,
        op="GreaterThanThreshold",
        desc="place-order function errors",
        topic=ops,
        transitions=[],
    )
    k.alarm(
        "marketplace-api-prod-5xx",
        "AWS/ApiGateway",
        "5XXError",
        api,
        stat="Sum",
        period=300,
        evals=2,
        threshold=100.0,
        op="GreaterThanThreshold",
        desc="Server errors on marketplace-api prod",
        topic=ops,
        transitions=[],
    )
    flap = onset - timedelta(hours=2, minutes=pick.randint(0, 30))
    k.alarm(
        "receipt-mailer-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "receipt-mailer"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=5.0,
        op="GreaterThanThreshold",
        desc="Receipt mails failing (SES)",
        topic=k.arn("sns", "team-notify-slack"),
        transitions=[
            (flap, "ALARM", "Threshold Crossed: 1 datapoint [9.0] was greater than the threshold (5.0)."),
            (
                flap + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).",
            ),
        ],
        missing="notBreaching",
    )
    k.alarm(
        "courier-dispatch-queue-age",
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        {"QueueName": "courier-dispatch-queue"},
        stat="Maximum",
        period=60,
        evals=5,
        threshold=300.0,
        op="GreaterThanThreshold",
        desc="Courier jobs waiting too long",
        topic=ops,
        transitions=[],
    )

    local = (onset + timedelta(hours=off) + timedelta(minutes=pick.randint(2, 6))).strftime("%-I:%M")
    question = f"Support's getting flooded, customers say the app shows 'Something went wrong, please try again' when they try to order, started around {local}pm. place-order went out just before that, should we roll it back?"
    return k.bundle(
        TITLE,
        {"question": question, "alarm_event": k.alarm_event(a4), "timezone": zone},
        {
            "no_fault": False,
            "root_cause": {
                "resource": plan_mobile,
                "category": "change",
                "failure_mode": "usage-plan-throttle-lowered",
                "event_id": culprit,
            },
            "also_accept": ["mobile-app-plan", f"arn:aws:apigateway:{k.region}::/usageplans/{plan_mobile}"],
            "actions": ["rollback"],
            "chain": [plan_mobile, key_mobile, "marketplace-api", "place-order"],
        },
    )
