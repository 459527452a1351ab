"""Checkout stuck calculating the delivery fee over lunch: the routing vendor behind delivery-quote is timing out."""

from __future__ import annotations

import random
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

NAME = "checkout-stuck-on-delivery-fee-at-lunch"
TITLE = "App checkout stuck on 'calculating delivery fee' since lunchtime; marketplace-api 5XX alarm"
SUMMARY = "The third-party routing API that delivery-quote calls for distances starts timing out; quotes fail with 502s and checkouts drop."

ZONES = {
    "eu-west-1": ("Europe/Dublin", 0),
    "eu-west-2": ("Europe/London", 0),
    "eu-central-1": ("Europe/Berlin", 1),
}


def build(seed: int) -> Bundle:
    pick = random.Random(f"{NAME}/{seed}")
    day = datetime(2026, 11, 3, tzinfo=UTC) + timedelta(days=pick.choice([0, 1, 2, 7, 8, 9, 14, 15, 21, 22]))
    k = Kit(
        seed,
        NAME,
        day + timedelta(hours=12, minutes=pick.randint(4, 35)),
        timedelta(hours=3, minutes=pick.randint(10, 40)),
        timedelta(minutes=pick.randint(36, 52)),
    )
    zone, off = ZONES[k.region]
    for attr in ("onset", "start", "now"):
        setattr(k, attr, getattr(k, attr) - timedelta(hours=off))
    onset = k.onset
    scale = pick.uniform(4.0, 7.0)
    worst = pick.uniform(0.45, 0.7)
    vendor = "api.geoflux.io"
    mem_change = onset - timedelta(minutes=pick.randint(55, 95))
    m = marketplace(
        k, fn_overrides={"delivery-quote": {"memory": 768, "timeout": 10, "modified": mem_change}}
    )

    def lh(t: datetime) -> float:
        return (t.hour + off) % 24 + t.minute / 60

    def orders(t: datetime) -> float:
        return dinner_curve(lh(t)) * scale

    def fail(t: datetime) -> float:
        if t < onset:
            return 0.0008
        ramp = min(1.0, (t - onset).total_seconds() / 600)
        return 0.0008 + worst * ramp * (0.85 + 0.15 * ((t.minute * 7) % 5) / 4)

    def quotes(t: datetime) -> float:
        return orders(t) * 2.1

    def dur(t: datetime) -> float:
        f = fail(t)
        return 190.0 * (1 - f) + 8150.0 * f

    def timeouts(t: datetime) -> float:
        return quotes(t) * fail(t) * 0.11

    # --- CloudTrail ------------------------------------------------------------------------------
    dev = k.who_user("AWSReservedSSO_Developer_51c0aa2e9d7b3f10", "priya.r@marketplace", console=True)
    k.ct(
        mem_change,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        dev,
        params={"functionName": "delivery-quote", "memorySize": 768},
        resp={
            "functionName": "delivery-quote",
            "functionArn": m["fn"]["delivery-quote"],
            "runtime": "python3.12",
            "memorySize": 768,
            "timeout": 10,
            "lastUpdateStatus": "InProgress",
            "version": "$LATEST",
        },
        read_only=False,
        agent="AWS Internal",
    )
    k.ct(
        mem_change - timedelta(minutes=3),
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        dev,
        params={"functionName": "delivery-quote"},
        read_only=True,
        agent="AWS Internal",
    )
    tf = k.who_user("terraform-apply", "atlantis")
    tf_agent = (
        "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.45.0"
    )
    k.ct(
        onset - timedelta(minutes=pick.randint(130, 170)),
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        tf,
        params={
            "tableName": "orders",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
        },
        resp={
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "ENABLED"},
            }
        },
        read_only=False,
        agent=tf_agent,
    )
    ci = k.who_user("github-actions-deploy", "GitHubActions")
    ci_agent = (
        "aws-sdk-js/3.554.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 api/lambda#3.554.0"
    )
    d2 = onset - timedelta(minutes=pick.randint(8, 20))
    k.ct(
        d2,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        params={"functionName": "menu-read", "publish": True, "dryRun": False},
        resp={
            "functionName": "menu-read",
            "functionArn": m["fn"]["menu-read"],
            "version": "131",
            "lastUpdateStatus": "InProgress",
        },
        read_only=False,
        agent=ci_agent,
        ip="20.42.11.8",
    )
    k.ct(
        onset + timedelta(minutes=pick.randint(18, 25)),
        "lambda.amazonaws.com",
        "GetFunctionConfiguration20150331v2",
        dev,
        params={"functionName": "delivery-quote"},
        read_only=True,
        agent="AWS Internal",
    )
    k.noise_reads(pick.randint(55, 75), read_calls(k))
    k.res(
        "secretsmanager",
        "SecretListEntry",
        {
            "ARN": k.arn("secretsmanager", f"secret:prod/geoflux/api-key-{k.alnum(6)}"),
            "Name": "prod/geoflux/api-key",
            "Description": "Geoflux routing API key",
            "LastChangedDate": iso(k.start - timedelta(days=120)),
            "LastAccessedDate": iso(k.start.replace(hour=0, minute=0)),
            "CreatedDate": iso(k.start - timedelta(days=420)),
            "SecretVersionsToStages": {k.uid(): ["AWSCURRENT"]},
        },
    )

    # --- metrics ---------------------------------------------------------------------------------
    api = {"ApiName": "marketplace-api", "Stage": "prod"}
    for t in k.minutes():
        q = quotes(t)
        o = orders(t)
        n = o * 9.2
        bad = q * fail(t)
        k.put("AWS/ApiGateway", "Count", api, t, round(k.jitter(n, 0.05)), "Count")
        k.put("AWS/ApiGateway", "4XXError", api, t, round(k.jitter(n * 0.012, 0.3)), "Count")
        k.put("AWS/ApiGateway", "5XXError", api, t, round(bad + k.r.random() * 1.5), "Count")
        lat = (n - q) / n * 70 + q / n * dur(t)
        k.stats(
            "AWS/ApiGateway",
            "Latency",
            api,
            t,
            n,
            k.jitter(lat + 12, 0.05),
            5,
            min(10040.0, max(dur(t) * 1.25, 900)),
            "Milliseconds",
        )
        k.stats(
            "AWS/ApiGateway",
            "IntegrationLatency",
            api,
            t,
            n,
            k.jitter(lat, 0.05),
            3,
            min(10020.0, max(dur(t) * 1.25, 880)),
            "Milliseconds",
        )
        placed = o * (1 - fail(t) * 0.8)
        k.stats(
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": "orders"},
            t,
            placed * 3.1,
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
            round(k.jitter(placed * 3.0, 0.05)),
            "Count",
        )
        k.put(
            "AWS/SNS",
            "NumberOfNotificationsDelivered",
            {"TopicName": "order-events"},
            t,
            round(k.jitter(placed * 3.0, 0.05)),
            "Count",
        )
        k.put(
            "AWS/EventBridge/Pipes",
            "Invocations",
            {"PipeName": "orders-stream-to-bus"},
            t,
            round(k.jitter(placed * 0.9, 0.05)),
            "Count",
        )
        for qn in ("courier-dispatch-queue", "restaurant-notify-queue", "receipts-queue"):
            s = round(k.jitter(placed, 0.06))
            k.put("AWS/SQS", "NumberOfMessagesSent", {"QueueName": qn}, t, s, "Count")
            k.put("AWS/SQS", "NumberOfMessagesDeleted", {"QueueName": qn}, t, s, "Count")
            k.put(
                "AWS/SQS",
                "ApproximateAgeOfOldestMessage",
                {"QueueName": qn},
                t,
                round(k.r.uniform(0, 5)),
                "Seconds",
            )
    lambda_metrics(k, "delivery-quote", quotes, timeouts, dur, timeout_ms=10000)
    lambda_metrics(
        k,
        "place-order",
        lambda t: orders(t) * (1 - fail(t) * 0.8),
        lambda t: orders(t) * 0.002,
        lambda t: 238.0,
    )
    lambda_metrics(
        k, "menu-read", lambda t: orders(t) * 6.0, lambda t: 0.0, lambda t: 44.0 if t < d2 else 47.0
    )
    lambda_metrics(
        k, "courier-dispatch", lambda t: orders(t - timedelta(minutes=8)) / 4, lambda t: 0.0, lambda t: 2150.0
    )
    lambda_metrics(k, "restaurant-notify", lambda t: orders(t) / 3, lambda t: 0.0, lambda t: 150.0)
    lambda_metrics(k, "receipt-mailer", lambda t: orders(t) / 5, lambda t: 0.0, lambda t: 305.0)

    # --- logs ------------------------------------------------------------------------------------
    lg = "/aws/lambda/delivery-quote"
    streams = [k.log_stream(k.start) for _ in range(3)] + [k.log_stream(mem_change) for _ in range(3)]
    for t in k.minutes():
        for _ in range(4):
            ts = t + timedelta(seconds=k.r.uniform(0, 58))
            st = k.r.choice(streams[3:] if t >= mem_change else streams[:3])
            rid = k.uid()
            bad = k.r.random() < fail(t)
            if not bad:
                d = k.r.uniform(90, 380)
                k.logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": ms(ts),
                        "message": f"START RequestId: {rid} Version: $LATEST\n",
                    }
                )
                k.logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": ms(ts) + int(d) - 3,
                        "message": f"[INFO]\t{iso(ts)}\t{rid}\tquote restaurant={k.r.randint(1000, 9999)} distance_m={k.r.randint(400, 7800)} fee_cents={k.r.choice([199, 249, 299, 349, 399])} route_ms={int(d * 0.7)}\n",
                    }
                )
                end = ts + timedelta(milliseconds=d)
                k.logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": ms(end),
                        "message": f"END RequestId: {rid}\n",
                    }
                )
                k.logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": ms(end),
                        "message": f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: {768 if t >= mem_change else 512} MB\tMax Memory Used: {k.r.randint(118, 131)} MB\t\n",
                    }
                )
                continue
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": ms(ts),
                    "message": f"START RequestId: {rid} Version: $LATEST\n",
                }
            )
            timed_out = k.r.random() < 0.11
            for attempt in (1, 2):
                at = ts + timedelta(seconds=4.02 * attempt + 0.05)
                if timed_out and attempt == 2:
                    break
                k.logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": ms(at),
                        "message": f"[WARNING]\t{iso(at)}\t{rid}\trouting call failed (attempt {attempt}/2): HTTPSConnectionPool(host='{vendor}', port=443): Read timed out. (read timeout=4.0)\n",
                    }
                )
            if timed_out:
                end = ts + timedelta(seconds=10.0)
                k.logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": ms(end),
                        "message": f"{iso(end)[:-1]}.{k.r.randint(100, 999)}Z {rid} Task timed out after 10.01 seconds\n",
                    }
                )
                d = 10006.0
            else:
                end = ts + timedelta(seconds=8.12)
                k.logs.append(
                    {
                        "log_group": lg,
                        "log_stream": st,
                        "timestamp": ms(end) - 2,
                        "message": f"[ERROR]\t{iso(end)}\t{rid}\tquote unavailable for restaurant={k.r.randint(1000, 9999)}; returning 502 QUOTE_UNAVAILABLE\n",
                    }
                )
                d = 8121.0 + k.r.uniform(0, 40)
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": ms(end),
                    "message": f"END RequestId: {rid}\n",
                }
            )
            k.logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": ms(end),
                    "message": f"REPORT RequestId: {rid}\tDuration: {d:.2f} ms\tBilled Duration: {int(d) + 1} ms\tMemory Size: {768 if t >= mem_change else 512} MB\tMax Memory Used: {k.r.randint(118, 131)} MB\t\n",
                }
            )
    acc = "/aws/apigateway/marketplace-api-prod-access"
    key = k.alnum(10)
    ast = k.hexid(32)
    for t in k.minutes(2):
        ts = t + timedelta(seconds=k.r.uniform(0, 110))
        bad = k.r.random() < fail(t) * 1.6
        path, method = (
            ("/quotes", "POST")
            if bad or k.r.random() < 0.3
            else k.r.choice([("/orders", "POST"), ("/restaurants/{id}/menu", "GET")])
        )
        status = "502" if bad else ("201" if path == "/orders" else "200")
        il = 8130 if bad else k.r.randint(30, 400)
        line = f'{{"requestId":"{k.uid()}","ip":"{k.r.randint(31, 213)}.{k.r.randint(0, 255)}.{k.r.randint(0, 255)}.{k.r.randint(1, 254)}","requestTime":"{ts:%d/%b/%Y:%H:%M:%S} +0000","httpMethod":"{method}","resourcePath":"{path}","status":"{status}","responseLength":"{61 if bad else k.r.randint(90, 4000)}","integrationLatency":"{il}","responseLatency":"{il + k.r.randint(4, 20)}","apiKeyId":"{key}","errorMessage":"-"}}'
        k.logs.append({"log_group": acc, "log_stream": ast, "timestamp": ms(ts), "message": line})

    # --- alarms ----------------------------------------------------------------------------------
    ops = k.arn("sns", "oncall-pager")
    fired = onset + timedelta(minutes=pick.randint(6, 9))
    a5 = k.alarm(
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
        transitions=[
            (
                fired,
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (100.0). The most recent datapoints which crossed the threshold: [...]",
            )
        ],
    )
    err_fire = onset + timedelta(minutes=pick.randint(14, 20))
    k.alarm(
        "delivery-quote-errors",
        "AWS/Lambda",
        "Errors",
        {"FunctionName": "delivery-quote"},
        stat="Sum",
        period=300,
        evals=1,
        threshold=float(round(scale * 6)),
        op="GreaterThanThreshold",
        desc="delivery-quote invocation errors",
        topic=ops,
        transitions=[(err_fire, "ALARM", "Threshold Crossed: 1 datapoint was greater than the threshold.")],
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
    fl = onset - timedelta(minutes=pick.randint(90, 140))
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
            (fl, "ALARM", "Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (5.0)."),
            (
                fl + timedelta(minutes=5),
                "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (5.0).",
            ),
        ],
        missing="notBreaching",
    )
    local = (onset + timedelta(hours=off) + timedelta(minutes=pick.randint(4, 12))).strftime("%-I:%M")
    question = f"Lots of customers stuck on 'calculating delivery fee' at checkout since about {local}, lunch orders way down. Priya bumped the memory on delivery-quote this morning, could that have broken it?"
    return k.bundle(
        TITLE,
        {"question": question, "alarm_event": k.alarm_event(a5), "timezone": zone},
        {
            "no_fault": False,
            "root_cause": {
                "resource": vendor,
                "category": "dependency_failure",
                "failure_mode": "third-party-api-timeouts",
            },
            "also_accept": ["geoflux", "Geoflux routing API", "https://api.geoflux.io"],
            "actions": ["reconfigure"],
            "chain": [vendor, "delivery-quote", "marketplace-api", "place-order"],
        },
    )
