"""A merchant's flash sale drives authorisations into the RDS Proxy's connection ceiling."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle

from ._kit_zzzk import Account, iso

NAME = "payments-proxy-pool-ceiling-flash-sale"
TITLE = "Payment timeouts during a merchant's flash sale; are we throttling them at the gateway?"
SUMMARY = (
    "Authorisation traffic doubled for a flash sale; every session is pinned, so the RDS Proxy hit its "
    "MaxConnectionsPercent ceiling and requests waited for a connection until Lambda and API Gateway timed out."
)


def build(seed: int) -> Bundle:
    acc = Account(seed, NAME)
    r = acc.r
    pct = r.choice([25, 30, 35])
    max_conn = 1000
    cap = max_conn * pct // 100
    acc.base_resources(proxy_max_pct=pct)
    acc.res(
        "rds",
        "DBParameter",
        {
            "DBParameterGroupName": "default.aurora-mysql8.0",
            "ParameterName": "max_connections",
            "ParameterValue": "GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000})",
            "Description": "The number of simultaneous client connections allowed.",
            "Source": "system",
            "ApplyType": "dynamic",
            "DataType": "integer",
            "AllowedValues": "1-100000",
            "IsModifiable": True,
            "ApplyMethod": "pending-reboot",
        },
    )
    plan_id = acc.hexid(6)
    acc.res(
        "apigateway",
        "UsagePlan",
        {
            "id": plan_id,
            "name": "merchant-tier-enterprise",
            "description": "Enterprise merchants",
            "apiStages": [{"apiId": acc.api_id, "stage": "prod"}],
            "throttle": {"burstLimit": 1500, "rateLimit": 800.0},
        },
    )
    peak = r.randint(240, 380)
    surge = r.uniform(2.6, 3.1)

    def mult(t: datetime) -> float:
        if t < acc.onset - timedelta(minutes=4):
            return 1.0
        ramp = min(1.0, (t - (acc.onset - timedelta(minutes=4))).total_seconds() / 360)
        return 1.0 + (surge - 1.0) * ramp

    def demand(t: datetime) -> float:
        """Database connections the authorize/capture traffic wants (pinned: one per busy environment)."""
        return cap * 0.45 * acc.traffic(t, peak) / (peak * 0.9) * mult(t)

    def saturated(t: datetime) -> float:
        """0 below the cap, rising towards 1 as demand outstrips it."""
        d = demand(t)
        return 0.0 if d < cap else min(0.85, (d - cap) / d * 1.6)

    timeouts: dict[str, float] = {}
    for t in acc.minutes():
        timeouts[iso(t)] = saturated(t)
    acc.api_metrics(
        peak,
        lambda t, n: n * 0.7 * timeouts[iso(t)] + n * r.uniform(0, 0.002),
        lambda t: 210 * (1 + 30 * timeouts[iso(t)]) * r.uniform(0.9, 1.1),
        scale=mult,
        tail=lambda t: (0.7 * timeouts[iso(t)], 29010.0),
    )
    acc.lambda_metrics(
        "payments-authorize",
        lambda t: acc.traffic(t, peak * 0.62) * mult(t),
        lambda t, n: n * (timeouts[iso(t)] + r.uniform(0, 0.002)),
        lambda t: min(29000.0, 160 + 60000 * timeouts[iso(t)]),
        conc=lambda t, n: n * min(29000.0, 160 + 60000 * timeouts[iso(t)]) / 60000 + 3,
    )
    acc.lambda_metrics(
        "payments-capture",
        lambda t: acc.traffic(t, peak * 0.3) * mult(t),
        lambda t, n: n * (0.8 * timeouts[iso(t)] + r.uniform(0, 0.003)),
        lambda t: min(29000.0, 110 + 50000 * timeouts[iso(t)]),
    )
    acc.lambda_metrics(
        "payments-refund",
        lambda t: acc.traffic(t, peak * 0.05),
        lambda t, n: 0,
        lambda t: r.uniform(100, 160),
    )
    acc.rds_metrics(
        lambda t, i: (r.uniform(20, 30) * (0.6 + 0.4 * mult(t))) if i == acc.writer else r.uniform(9, 15),
        lambda t, i: (
            (min(float(cap), demand(t)) + r.uniform(8, 14)) if i == acc.writer else r.uniform(12, 20)
        ),
    )
    pdims = {"ProxyName": acc.proxy}
    tg = {"ProxyName": acc.proxy, "TargetGroup": "default", "TargetRole": "READ_WRITE"}
    acc.series("AWS/RDS", "ClientConnections", pdims, "Count", lambda t: demand(t) * r.uniform(1.3, 1.5) + 40)
    acc.series(
        "AWS/RDS",
        "DatabaseConnections",
        pdims,
        "Count",
        lambda t: min(float(cap), demand(t) * r.uniform(0.97, 1.03)),
    )
    acc.series(
        "AWS/RDS",
        "DatabaseConnectionsCurrentlySessionPinned",
        pdims,
        "Count",
        lambda t: min(float(cap), demand(t)) * r.uniform(0.9, 0.97),
    )
    acc.series(
        "AWS/RDS",
        "DatabaseConnectionsBorrowLatency",
        pdims,
        "Microseconds",
        lambda t: r.uniform(300, 900) + 2.4e7 * timeouts[iso(t)],
    )
    acc.series(
        "AWS/RDS",
        "DatabaseConnections",
        tg,
        "Count",
        lambda t: min(float(cap), demand(t) * r.uniform(0.97, 1.03)),
    )
    acc.series("AWS/RDS", "MaxDatabaseConnectionsAllowed", tg, "Count", lambda t: float(cap))

    # --- CloudTrail ------------------------------------------------------------------------------
    acc.tooling_noise(50)
    acc.trail(
        acc.onset - timedelta(minutes=r.randint(50, 75)),
        "apigateway",
        "UpdateUsagePlan",
        acc.sso(0),
        {
            "usagePlanId": plan_id,
            "patchOperations": [
                {"op": "replace", "path": "/throttle/rateLimit", "value": "800"},
                {"op": "replace", "path": "/throttle/burstLimit", "value": "1500"},
            ],
        },
        {
            "id": plan_id,
            "name": "merchant-tier-enterprise",
            "throttle": {"burstLimit": 1500, "rateLimit": 800.0},
        },
        agent="AWS Internal",
    )
    acc.innocent_lambda_deploy(acc.onset - timedelta(minutes=r.randint(20, 40)), "payments-refund")
    acc.innocent_lambda_deploy(acc.start + timedelta(minutes=r.randint(20, 60)), "payments-authorize")
    acc.trail(
        acc.start + timedelta(minutes=r.randint(70, 110)),
        "states",
        "UpdateStateMachine",
        acc.ci(),
        {"stateMachineArn": acc.sm_arn, "definition": "HIDDEN_DUE_TO_SECURITY_REASONS"},
        {"updateDate": "now", "revisionId": acc.uid()},
    )
    for rec in acc.ct:
        if rec["eventName"] == "UpdateStateMachine":
            rec["responseElements"]["updateDate"] = rec["eventTime"]
    sso = acc.sso(1)
    for k in range(4):
        t = acc.onset + timedelta(minutes=12 + 3 * k)
        acc.trail(
            t,
            "rds",
            "DescribeDBProxyTargetGroups",
            sso,
            {"dBProxyName": acc.proxy},
            None,
            read_only=True,
            agent="AWS Internal",
        )
    acc.trail(
        acc.onset + timedelta(minutes=14),
        "apigateway",
        "GetUsagePlans",
        sso,
        {"limit": 500},
        None,
        read_only=True,
        agent="AWS Internal",
    )

    # --- logs ------------------------------------------------------------------------------------
    stream = acc.lambda_stream("payments-authorize", acc.start)
    t = acc.start + timedelta(minutes=1)
    g = "/aws/lambda/payments-authorize"
    while t < acc.now:
        s = timeouts[iso(t.replace(second=0))] if t.replace(second=0) >= acc.start else 0.0
        if s > 0 and r.random() < s:
            rid = acc.uid()
            acc.log(g, stream, t, f"START RequestId: {rid} Version: $LATEST\n")
            end = t + timedelta(seconds=29, milliseconds=r.randint(10, 60))
            acc.log(
                g,
                stream,
                end,
                f"{iso(end)[:-1]}.{r.randint(100, 999)}Z {rid} Task timed out after 29.0{r.randint(1, 9)} seconds\n\n",
            )
            acc.log(g, stream, end, f"END RequestId: {rid}\n")
            acc.log(
                g,
                stream,
                end,
                f"REPORT RequestId: {rid}\tDuration: 29000.00 ms\tBilled Duration: 29000 ms\tMemory Size: 512 MB\tMax Memory Used: 151 MB\t\n",
            )
        else:
            wait = r.randint(2, 9) if s == 0 else r.randint(4000, 26000)
            lines = [
                f"[INFO]\t{iso(t)}\t{{rid}}\tauthorize merchant=m_{r.randint(1000, 9999)} amount_minor={r.randint(300, 90000)} "
                f"currency=EUR result=approved db_acquire_ms={wait} acquirer_ms={r.randint(90, 160)}\n"
            ]
            acc.invocation("payments-authorize", stream, t, 140 + wait + r.uniform(0, 40), lines)
        t += timedelta(seconds=r.randint(20, 60) if t >= acc.onset else r.randint(40, 120))
    gw = f"API-Gateway-Execution-Logs_{acc.api_id}/prod"
    gws = acc.hexid(32)
    t = acc.onset + timedelta(minutes=2)
    while t < acc.now:
        if r.random() < timeouts[iso(t.replace(second=0))] + 0.05:
            rid = acc.uid()
            acc.log(gw, gws, t, f"({rid}) Execution failed due to a timeout error")
            acc.log(gw, gws, t + timedelta(milliseconds=1), f"({rid}) Method completed with status: 504")
        t += timedelta(seconds=r.randint(10, 30))

    # --- alarms ----------------------------------------------------------------------------------
    fire = acc.onset + timedelta(minutes=r.randint(5, 9))
    p99 = [round(r.uniform(29010, 29080), 1) for _ in range(3)]
    reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{p99[0]} ({fire.strftime('%d/%m/%y %H:%M')}:00), "
        f"{p99[1]}, {p99[2]}] were greater than the threshold (3000.0) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    a = acc.alarm(
        "payments-api-latency-p99",
        "AWS/ApiGateway",
        "Latency",
        {"ApiName": "payments-api", "Stage": "prod"},
        "Average",
        3000.0,
        "GreaterThanThreshold",
        60,
        3,
        "ALARM",
        reason,
        fire,
        desc="payments-api prod latency above 3s",
    )
    a["ExtendedStatistic"] = "p99"
    del a["Statistic"]
    acc.transition(a["AlarmName"], fire, "OK", "ALARM", reason)
    fire2 = fire + timedelta(minutes=r.randint(2, 5))
    r2 = "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (50.0) (minimum 2 datapoints for OK -> ALARM transition)."
    acc.alarm(
        "payments-api-5xx",
        "AWS/ApiGateway",
        "5XXError",
        {"ApiName": "payments-api", "Stage": "prod"},
        "Sum",
        50.0,
        "GreaterThanThreshold",
        60,
        2,
        "ALARM",
        r2,
        fire2,
    )
    acc.transition("payments-api-5xx", fire2, "OK", "ALARM", r2)
    acc.alarm(
        "payments-aurora-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": acc.writer},
        "Average",
        80.0,
        "GreaterThanThreshold",
        300,
        3,
        "OK",
        "Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        acc.start - timedelta(days=3),
    )
    dlq = "payments-webhooks-dlq-not-empty"
    acc.alarm(
        dlq,
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "payments-webhooks-dlq"},
        "Maximum",
        0.0,
        "GreaterThanThreshold",
        300,
        1,
        "OK",
        "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
        acc.start + timedelta(minutes=95),
        topic="payments-low-priority",
    )
    acc.transition(
        dlq,
        acc.start + timedelta(minutes=60),
        "OK",
        "ALARM",
        "Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0).",
    )
    acc.transition(
        dlq,
        acc.start + timedelta(minutes=95),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).",
    )
    acc.series(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        {"QueueName": "payments-webhooks-dlq"},
        "Count",
        lambda t: 2.0 if acc.start + timedelta(minutes=55) <= t < acc.start + timedelta(minutes=92) else 0.0,
        step=300,
    )
    acc.execution(
        acc.start - timedelta(hours=r.randint(6, 9)), timedelta(minutes=r.randint(12, 30)), "SUCCEEDED"
    )
    when = acc.clock(acc.onset - timedelta(minutes=4))
    question = (
        f"Brightcart's flash sale kicked off at {when} and their customers are getting payment timeouts at checkout. "
        "We bumped their usage plan this morning, are we still throttling them at API Gateway?"
    )
    event = acc.alarm_event(
        a, fire, reason, "Threshold Crossed: 3 datapoints were not greater than the threshold (3000.0)."
    )
    return acc.bundle(
        TITLE,
        {"question": question, "alarm_event": event},
        {
            "no_fault": False,
            "root_cause": {
                "resource": acc.proxy,
                "category": "limit",
                "failure_mode": "rds-proxy-connection-pool-exhausted",
            },
            "also_accept": [
                next(x["item"]["DBProxyArn"] for x in acc.resources if x["type"] == "DBProxy"),
                "default",
            ],
            "actions": ["scale", "reconfigure"],
            "chain": [acc.proxy, "payments-authorize", "payments-api"],
        },
        timezone=acc.tz,
    )
