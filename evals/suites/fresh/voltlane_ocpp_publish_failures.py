"""Voltlane EV charging: the OCPP gateway's publish-failure alarm at the evening plug-in peak."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zs as k

NAME = "voltlane-ocpp-publish-failures"
TITLE = "ocpp-gateway publish-failures alarm at the evening plug-in peak; sessions stuck on 'starting'"
SUMMARY = (
    "A FIFO queue without high-throughput mode reaches its per-queue send rate as the evening charging peak "
    "grows past yesterday's; the gateway's sends are throttled and charger events are refused."
)

REGION = "eu-west-2"
QUEUE = "charger-events.fifo"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    acct = k.account_id(rng)
    day = k.pick_day(rng, 2025, (1, 2, 11), (0, 1, 2, 3))  # GMT: local time is UTC
    cap = 300 * 60 * rng.uniform(0.986, 0.996)  # sends per minute the queue accepts
    peak_today = rng.uniform(1.13, 1.2)  # demand at today's peak, as a multiple of the ceiling
    peak_yday = rng.uniform(0.93, 0.965)
    peak_hour = rng.uniform(18.2, 18.6)
    tasks0 = 6
    noise: dict[datetime, float] = {}

    def shape(t: datetime) -> float:
        return 0.08 + 0.92 * k.diurnal(t, 0, peak_hour, 0.18) ** 8

    onset = day + timedelta(hours=16)
    while cap * peak_today * shape(onset) < cap:
        onset += timedelta(minutes=1)
    onset += timedelta(seconds=rng.randint(0, 59))
    start = (onset - timedelta(hours=26)).replace(second=0)
    start = start.replace(minute=start.minute - start.minute % 5)
    now = (onset + timedelta(minutes=rng.randint(40, 52))).replace(second=0)
    fine_from = (onset - timedelta(hours=3, minutes=10)).replace(minute=0, second=0)
    points = k.grid(start, now, fine_from)
    scale_at = onset + timedelta(minutes=rng.randint(14, 20))

    def demand(t: datetime) -> float:
        """Charger events per minute the gateway tries to publish (before retries)."""
        mn = t.replace(second=0, microsecond=0)
        if mn not in noise:
            noise[mn] = rng.gauss(0, 0.02)
        peak = peak_today if t.date() == onset.date() else peak_yday
        return cap * peak * shape(t) * (1 + noise[mn])

    def sent(t: datetime) -> float:
        d = demand(t)
        if t < onset:
            return min(d, cap * 0.999)
        # refused events come back from the chargers' retries, so attempts exceed demand
        return cap * rng.uniform(0.992, 1.0)

    def failed(t: datetime) -> float:
        if t < onset:
            return 0.0
        d = demand(t) * 1.12
        return max(0.0, d - cap) * rng.uniform(0.9, 1.05)

    M = k.Metrics()
    qd = {"QueueName": QUEUE}
    M.count("AWS/SQS", "NumberOfMessagesSent", qd, points, sent, sparse=False)
    M.count(
        "AWS/SQS",
        "NumberOfMessagesReceived",
        qd,
        points,
        lambda t: sent(t) * rng.uniform(0.995, 1.004),
        sparse=False,
    )
    M.count(
        "AWS/SQS",
        "NumberOfMessagesDeleted",
        qd,
        points,
        lambda t: sent(t) * rng.uniform(0.995, 1.003),
        sparse=False,
    )
    M.count(
        "AWS/SQS",
        "NumberOfEmptyReceives",
        qd,
        points,
        lambda t: k.noisy(rng, 2400 * (1.4 - k.diurnal(t, 0, 18.3, 0.2)), 0.1),
        sparse=False,
    )
    M.gauge(
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        qd,
        points,
        lambda t: max(0, rng.gauss(sent(t) / 180, 12)),
        "Count",
        0,
    )
    M.gauge(
        "AWS/SQS",
        "ApproximateNumberOfMessagesNotVisible",
        qd,
        points,
        lambda t: max(0, rng.gauss(sent(t) / 110, 10)),
        "Count",
        0,
    )
    M.gauge(
        "AWS/SQS",
        "ApproximateAgeOfOldestMessage",
        qd,
        points,
        lambda t: max(0, round(rng.gauss(1.4, 0.6))),
        "Seconds",
        0,
    )
    M.stats(
        "AWS/SQS",
        "SentMessageSize",
        qd,
        points,
        lambda t, st: (sent(t) * st / 60, k.noisy(rng, 712, 0.03), 388.0, 2310.0),
        "Bytes",
    )
    dlq = {"QueueName": "charger-events-dlq.fifo"}
    M.gauge("AWS/SQS", "ApproximateNumberOfMessagesVisible", dlq, points, lambda t: 3.0, "Count", 0)
    M.count(
        "AWS/SQS",
        "NumberOfMessagesSent",
        {"QueueName": "charger-diagnostics"},
        points,
        lambda t: k.noisy(rng, 640, 0.1),
        sparse=False,
    )

    # consumer Lambda (FIFO event source mapping, batches of up to 10)
    fd = {"FunctionName": "session-ledger"}
    M.count("AWS/Lambda", "Invocations", fd, points, lambda t: sent(t) / rng.uniform(8.6, 9.4), sparse=False)
    M.count("AWS/Lambda", "Errors", fd, points, lambda t: 0.0, sparse=False)
    M.stats(
        "AWS/Lambda",
        "Duration",
        fd,
        points,
        lambda t, st: (sent(t) / 9 * st / 60, k.noisy(rng, 74, 0.06), 18.0, k.noisy(rng, 640, 0.3)),
    )
    M.gauge(
        "AWS/Lambda",
        "ConcurrentExecutions",
        fd,
        points,
        lambda t: max(2, round(sent(t) / 9 / 60 * 0.075 * rng.uniform(5, 7))),
        "Count",
        0,
    )
    dd = {"FunctionName": "driver-app-api"}
    M.count(
        "AWS/Lambda",
        "Invocations",
        dd,
        points,
        lambda t: k.noisy(rng, 520 * k.diurnal(t, 0, 17.8, 0.12), 0.07),
        sparse=False,
    )
    M.count("AWS/Lambda", "Errors", dd, points, lambda t: 1.0 if rng.random() < 0.04 else 0.0, sparse=False)
    M.stats(
        "AWS/Lambda",
        "Duration",
        dd,
        points,
        lambda t, st: (
            520 * k.diurnal(t, 0, 17.8, 0.12) * st / 60,
            k.noisy(rng, 58, 0.08),
            6.0,
            k.noisy(rng, 900, 0.3),
        ),
    )
    ad = {"ApiName": "voltlane-driver-api", "Stage": "live"}
    M.count(
        "AWS/ApiGateway",
        "Count",
        ad,
        points,
        lambda t: k.noisy(rng, 520 * k.diurnal(t, 0, 17.8, 0.12), 0.07),
        sparse=False,
    )
    M.count(
        "AWS/ApiGateway", "5XXError", ad, points, lambda t: 1.0 if rng.random() < 0.04 else 0.0, sparse=False
    )
    M.count(
        "AWS/ApiGateway",
        "4XXError",
        ad,
        points,
        lambda t: k.noisy(rng, 6 * k.diurnal(t, 0, 17.8, 0.12), 0.4),
        sparse=False,
    )
    M.stats(
        "AWS/ApiGateway",
        "Latency",
        ad,
        points,
        lambda t, st: (
            520 * k.diurnal(t, 0, 17.8, 0.12) * st / 60,
            k.noisy(rng, 81, 0.06),
            9.0,
            k.noisy(rng, 1400, 0.3),
        ),
    )
    # gateway (ECS) and its own metrics
    cd = {"ClusterName": "voltlane-prod", "ServiceName": "ocpp-gateway"}

    def cpu(t: datetime) -> float:
        base = 14 + 30 * (demand(t) / cap)
        if t >= onset:
            base += 14 * (tasks0 / (10 if t >= scale_at else tasks0))
        return base * (tasks0 / (10 if t >= scale_at else tasks0)) * rng.uniform(0.95, 1.05)

    M.gauge("AWS/ECS", "CPUUtilization", cd, points, cpu, "Percent")
    M.gauge(
        "AWS/ECS",
        "MemoryUtilization",
        cd,
        points,
        lambda t: rng.uniform(41, 45) + (9 if t >= onset else 0),
        "Percent",
    )
    gw = {"Service": "ocpp-gateway", "Environment": "prod"}
    M.count(
        "Voltlane/OcppGateway",
        "InboundMessages",
        gw,
        points,
        lambda t: demand(t) * (1.12 if t >= onset else 1.0) * 1.9,
        sparse=False,
    )
    M.count("Voltlane/OcppGateway", "PublishFailures", gw, points, failed, sparse=False)
    M.gauge(
        "Voltlane/OcppGateway",
        "ConnectedChargers",
        gw,
        points,
        lambda t: rng.gauss(41800 if t.date() == onset.date() else 41650, 60),
        "Count",
        0,
    )
    M.stats(
        "Voltlane/OcppGateway",
        "PublishLatency",
        gw,
        points,
        lambda t, st: (
            sent(t) * st / 60,
            k.noisy(rng, 9, 0.05) if t < onset else k.noisy(rng, 140, 0.1),
            3.0,
            k.noisy(rng, 60, 0.2) if t < onset else k.noisy(rng, 1900, 0.1),
        ),
    )
    td = {"TableName": "charging-sessions"}
    M.count("AWS/DynamoDB", "ConsumedWriteCapacityUnits", td, points, lambda t: sent(t) * 1.3, sparse=False)
    M.count(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        td,
        points,
        lambda t: k.noisy(rng, 900 * k.diurnal(t, 0, 17.8, 0.12), 0.06),
        sparse=False,
    )

    # --- alarms ---------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{REGION}:{acct}:platform-oncall"
    cfg = day - timedelta(days=rng.randint(40, 200), hours=rng.randint(1, 9), minutes=rng.randint(0, 59))
    alarms = [
        k.Alarm(
            acct,
            REGION,
            "ocpp-gateway-publish-failures",
            namespace="Voltlane/OcppGateway",
            metric="PublishFailures",
            dims=gw,
            statistic="Sum",
            period=60,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=100,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Charger events the gateway could not publish to the session pipeline. Runbook: https://wiki.voltlane.internal/runbooks/ocpp-gateway",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "charger-events-oldest-message",
            namespace="AWS/SQS",
            metric="ApproximateAgeOfOldestMessage",
            dims=qd,
            statistic="Maximum",
            period=60,
            evaluation_periods=5,
            datapoints_to_alarm=5,
            threshold=120,
            comparison="GreaterThanThreshold",
            treat_missing="missing",
            description="session-ledger falling behind",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "charger-events-dlq-not-empty",
            namespace="AWS/SQS",
            metric="ApproximateNumberOfMessagesVisible",
            dims=dlq,
            statistic="Maximum",
            period=300,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            threshold=20,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Poison charger events (3 known from firmware 4.2.1 left in for investigation)",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "session-ledger-errors",
            namespace="AWS/Lambda",
            metric="Errors",
            dims=fd,
            statistic="Sum",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=10,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="session-ledger failing batches",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "ocpp-gateway-cpu-high",
            namespace="AWS/ECS",
            metric="CPUUtilization",
            dims=cd,
            statistic="Average",
            period=300,
            evaluation_periods=3,
            datapoints_to_alarm=3,
            threshold=80,
            comparison="GreaterThanThreshold",
            treat_missing="missing",
            description="ocpp-gateway tasks running hot",
            actions=[topic],
            configured=cfg,
        ),
        k.Alarm(
            acct,
            REGION,
            "driver-api-5xx",
            namespace="AWS/ApiGateway",
            metric="5XXError",
            dims=ad,
            statistic="Sum",
            period=300,
            evaluation_periods=2,
            datapoints_to_alarm=2,
            threshold=25,
            comparison="GreaterThanThreshold",
            treat_missing="notBreaching",
            description="Driver app API errors",
            actions=[topic],
            configured=cfg,
        ),
    ]
    for alarm in alarms:
        alarm.evaluate(M.rows, start, now, rng)

    # --- logs -----------------------------------------------------------------------------------
    logs: list[dict[str, Any]] = []
    task_ids = [k.hexs(rng, 32) for _ in range(10)]
    grp = "/ecs/voltlane-prod/ocpp-gateway"
    t = start
    while t < now:
        running = task_ids[: (10 if t >= scale_at + timedelta(minutes=1) else tasks0)]
        for tid in running:
            stream = f"ocpp-gateway/ocpp-gateway/{tid}"
            ts = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            per = demand(t) / len(running)
            ok = sent(t) / len(running)
            line = (
                f"{ts:%Y-%m-%d %H:%M:%S}.{ts.microsecond // 1000:03d} INFO  [stats-reporter] c.v.ocpp.metrics.StatsReporter - "
                f"connections={round(41700 / len(running) + rng.gauss(0, 40))} inbound/min={round(per * 1.9)} published/min={round(ok)} "
                f"publishP99ms={rng.randint(12, 40) if t < onset else rng.randint(1700, 2600)} heapUsedMb={rng.randint(610, 690) + (140 if t >= onset else 0)}"
            )
            if (t - start).total_seconds() % 300 == 0 or t >= onset - timedelta(minutes=30):
                logs.append({"log_group": grp, "log_stream": stream, "timestamp": k.ms(ts), "message": line})
            if t >= onset and (t - onset).total_seconds() >= 20:
                for _ in range(rng.randint(2, 4)):
                    te = t + timedelta(seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
                    rid = k.uid(rng).upper().replace("-", "")[:20]
                    charger = (
                        f"VL-{rng.choice(['LDN', 'BRS', 'MAN', 'BHM', 'LDS'])}-{rng.randint(10000, 99999)}"
                    )
                    action = rng.choice(
                        [
                            "StartTransaction",
                            "MeterValues",
                            "MeterValues",
                            "StatusNotification",
                            "StopTransaction",
                        ]
                    )
                    logs.append(
                        {
                            "log_group": grp,
                            "log_stream": stream,
                            "timestamp": k.ms(te),
                            "message": f"{te:%Y-%m-%d %H:%M:%S}.{te.microsecond // 1000:03d} WARN  [sqs-publisher-{rng.randint(1, 16)}] c.v.ocpp.queue.EventPublisher - "
                            f"publish failed after 3 attempts chargeBox={charger} action={action}: software.amazon.awssdk.services.sqs.model.RequestThrottledException: "
                            f"The request was denied due to request throttling. (Service: Sqs, Status Code: 400, Request ID: {k.uid(rng)})",
                        }
                    )
                    if rng.random() < 0.5:
                        logs.append(
                            {
                                "log_group": grp,
                                "log_stream": stream,
                                "timestamp": k.ms(te) + 2,
                                "message": f"{te:%Y-%m-%d %H:%M:%S}.{te.microsecond // 1000 + 2 if te.microsecond < 997000 else 999:03d} INFO  [ocpp-ws-{rng.randint(1, 64)}] c.v.ocpp.ws.CallHandler - "
                                f"CALLERROR InternalError sent chargeBox={charger} action={action} uniqueId={rid}",
                            }
                        )
            if rng.random() < 0.004:
                te = t + timedelta(seconds=rng.randint(0, 59))
                logs.append(
                    {
                        "log_group": grp,
                        "log_stream": stream,
                        "timestamp": k.ms(te),
                        "message": f"{te:%Y-%m-%d %H:%M:%S}.{rng.randint(0, 999):03d} WARN  [ocpp-ws-{rng.randint(1, 64)}] c.v.ocpp.ws.SessionRegistry - "
                        f"heartbeat timeout chargeBox=VL-{rng.choice(['LDN', 'BRS', 'MAN'])}-{rng.randint(10000, 99999)} lastSeen={rng.randint(301, 900)}s; closing",
                    }
                )
        t += timedelta(minutes=1)
    # session-ledger: a sample of its invocations (one execution environment in a few hundred)
    sl_streams = [k.lambda_stream(rng, day) for _ in range(4)]
    t = now - timedelta(hours=4)
    while t < now:
        n = max(1, round(sent(t) / 9 / 300))
        for _ in range(n):
            te = t + timedelta(seconds=rng.uniform(0, 59))
            req = k.uid(rng)
            d = max(12.0, rng.gauss(74, 22))
            stream = rng.choice(sl_streams)
            logs.append(
                {
                    "log_group": "/aws/lambda/session-ledger",
                    "log_stream": stream,
                    "timestamp": k.ms(te),
                    "message": f"START RequestId: {req} Version: $LATEST",
                }
            )
            logs.append(
                {
                    "log_group": "/aws/lambda/session-ledger",
                    "log_stream": stream,
                    "timestamp": k.ms(te) + int(d),
                    "message": f"END RequestId: {req}",
                }
            )
            logs.append(
                {
                    "log_group": "/aws/lambda/session-ledger",
                    "log_stream": stream,
                    "timestamp": k.ms(te) + int(d),
                    "message": k.report_line(req, d, 512, rng.randint(121, 138)),
                }
            )
        t += timedelta(minutes=1)
    # the driver API: sampled too, with its occasional warnings
    da_stream = k.lambda_stream(rng, day)
    t = now - timedelta(hours=4)
    while t < now:
        for _ in range(rng.randint(0, 2)):
            te = t + timedelta(seconds=rng.uniform(0, 59))
            req = k.uid(rng)
            d = max(5.0, rng.gauss(58, 15))
            logs.append(
                {
                    "log_group": "/aws/lambda/driver-app-api",
                    "log_stream": da_stream,
                    "timestamp": k.ms(te),
                    "message": f"START RequestId: {req} Version: $LATEST",
                }
            )
            if rng.random() < 0.05:
                logs.append(
                    {
                        "log_group": "/aws/lambda/driver-app-api",
                        "log_stream": da_stream,
                        "timestamp": k.ms(te) + 4,
                        "message": f"{k.iso_ms(te)}\t{req}\tWARN\t"
                        + json.dumps(
                            {
                                "level": "WARN",
                                "msg": "session not found for connector",
                                "connectorId": rng.randint(1, 2),
                                "chargeBox": f"VL-LDN-{rng.randint(10000, 99999)}",
                            },
                            separators=(",", ":"),
                        ),
                    }
                )
            logs.append(
                {
                    "log_group": "/aws/lambda/driver-app-api",
                    "log_stream": da_stream,
                    "timestamp": k.ms(te) + int(d),
                    "message": f"END RequestId: {req}",
                }
            )
            logs.append(
                {
                    "log_group": "/aws/lambda/driver-app-api",
                    "log_stream": da_stream,
                    "timestamp": k.ms(te) + int(d),
                    "message": k.report_line(req, d, 1024, rng.randint(150, 170)),
                }
            )
        t += timedelta(minutes=1)
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # --- CloudTrail -----------------------------------------------------------------------------
    tr = k.Trail(rng, acct, REGION)
    eng_name = rng.choice(["priya.nair", "tom.welland", "ade.okoye", "sian.morgan"])
    eng = tr.role("AWSReservedSSO_PlatformAdmin_" + k.hexs(rng, 16), f"{eng_name}@voltlane.co.uk", sso=True)
    dev = tr.role(
        "AWSReservedSSO_Developer_" + k.hexs(rng, 16),
        f"{rng.choice(['kai.brooks', 'lena.fischer', 'omar.haddad'])}@voltlane.co.uk",
        sso=True,
    )
    ci = tr.role("voltlane-ci-deploy", "buildkite-" + str(rng.randint(40000, 49999)))
    eng_ip = f"86.{rng.randint(128, 191)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    dev_ip = f"81.{rng.randint(96, 111)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    ci_ip = f"3.{rng.randint(8, 11)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    q_url = f"https://sqs.{REGION}.amazonaws.com/{acct}/{QUEUE}"
    diag_url = f"https://sqs.{REGION}.amazonaws.com/{acct}/charger-diagnostics"
    span = int((now - start).total_seconds() // 60)
    for i in range(16):
        tt = start + timedelta(minutes=rng.randint(10, span - 10))
        who, ip = (eng, eng_ip) if i % 3 == 0 else (dev, dev_ip)
        choice = i % 6
        if choice == 0:
            tr.add(
                tt,
                "sqs.amazonaws.com",
                "GetQueueAttributes",
                who,
                {"queueUrl": rng.choice([q_url, diag_url]), "attributeNames": ["All"]},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        elif choice == 1:
            tr.add(
                tt,
                "ecs.amazonaws.com",
                "DescribeServices",
                who,
                {"cluster": "voltlane-prod", "services": ["ocpp-gateway"], "include": ["TAGS"]},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        elif choice == 2:
            tr.add(
                tt,
                "lambda.amazonaws.com",
                "GetFunction20150331v2",
                who,
                {"functionName": rng.choice(["session-ledger", "driver-app-api", "session-billing"])},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        elif choice == 3:
            tr.add(
                tt,
                "dynamodb.amazonaws.com",
                "DescribeTable",
                who,
                {"tableName": "charging-sessions"},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        elif choice == 4:
            tr.add(
                tt,
                "monitoring.amazonaws.com",
                "DescribeAlarms",
                who,
                {"alarmNamePrefix": "ocpp-", "maxRecords": 100},
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
        else:
            tr.add(
                tt,
                "logs.amazonaws.com",
                "FilterLogEvents",
                who,
                {
                    "logGroupName": grp,
                    "startTime": k.ms(tt) - 900000,
                    "endTime": k.ms(tt),
                    "filterPattern": "WARN",
                },
                None,
                read_only=True,
                ip=ip,
                agent=k.CONSOLE_UA,
            )
    for _ in range(8):
        tt = start + timedelta(minutes=rng.randint(2, span - 2))
        tr.add(
            tt,
            "sts.amazonaws.com",
            "AssumeRole",
            k.Trail.service("ecs-tasks.amazonaws.com"),
            {"roleArn": f"arn:aws:iam::{acct}:role/ocpp-gateway-task", "roleSessionName": k.hexs(rng, 32)},
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16, upper=True),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + k.alnum(rng, 40),
                    "expiration": (tt + timedelta(hours=6)).strftime("%b %-d, %Y, %-I:%M:%S %p"),
                }
            },
            read_only=True,
            resources=[
                {
                    "accountId": acct,
                    "type": "AWS::IAM::Role",
                    "ARN": f"arn:aws:iam::{acct}:role/ocpp-gateway-task",
                }
            ],
        )
    # yesterday afternoon's gateway-unrelated deploy and config work
    yd = onset - timedelta(hours=rng.randint(20, 23), minutes=rng.randint(0, 59))
    tr.add(
        yd,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "session-billing",
            "s3Bucket": f"voltlane-artifacts-{acct}",
            "s3Key": f"session-billing/{k.hexs(rng, 40)}.zip",
            "publish": True,
            "dryRun": False,
        },
        {
            "functionName": "session-billing",
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:session-billing:{rng.randint(40, 90)}",
            "runtime": "python3.12",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
        },
        read_only=False,
        ip=ci_ip,
        agent=k.BOTO_UA.replace("exec-env/AWS_Lambda_python3.12 ", ""),
    )
    # innocent changes close to the onset
    drv_deploy = onset - timedelta(minutes=rng.randint(17, 26), seconds=rng.randint(0, 59))
    tr.add(
        drv_deploy,
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        ci,
        {
            "functionName": "driver-app-api",
            "s3Bucket": f"voltlane-artifacts-{acct}",
            "s3Key": f"driver-app-api/{k.hexs(rng, 40)}.zip",
            "publish": False,
            "dryRun": False,
        },
        {
            "functionName": "driver-app-api",
            "functionArn": f"arn:aws:lambda:{REGION}:{acct}:function:driver-app-api",
            "runtime": "nodejs20.x",
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
        read_only=False,
        ip=ci_ip,
        agent=k.BOTO_UA.replace("exec-env/AWS_Lambda_python3.12 ", ""),
    )
    diag_change = onset - timedelta(minutes=rng.randint(6, 13), seconds=rng.randint(0, 59))
    tr.add(
        diag_change - timedelta(minutes=2),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        dev,
        {"queueUrl": diag_url, "attributeNames": ["All"]},
        None,
        read_only=True,
        ip=dev_ip,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        diag_change,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        dev,
        {
            "queueUrl": diag_url,
            "attributes": {"MessageRetentionPeriod": "1209600", "VisibilityTimeout": "120"},
        },
        None,
        read_only=False,
        ip=dev_ip,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        diag_change + timedelta(minutes=3),
        "ssm.amazonaws.com",
        "PutParameter",
        dev,
        {"name": "/voltlane/prod/diagnostics/firmware-log-level", "type": "String", "overwrite": True},
        {"version": rng.randint(3, 11), "tier": "Standard"},
        read_only=False,
        ip=dev_ip,
        agent=k.CONSOLE_UA,
    )
    # the responder scales the gateway out, and reads the queue
    resp = onset + timedelta(minutes=rng.randint(8, 12))
    tr.add(
        resp,
        "ecs.amazonaws.com",
        "DescribeServices",
        eng,
        {"cluster": "voltlane-prod", "services": ["ocpp-gateway"]},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        resp + timedelta(minutes=1),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        eng,
        {"queueUrl": q_url, "attributeNames": ["All"]},
        None,
        read_only=True,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    svc_arn = f"arn:aws:ecs:{REGION}:{acct}:service/voltlane-prod/ocpp-gateway"
    td_rev = rng.randint(80, 140)
    tr.add(
        scale_at,
        "ecs.amazonaws.com",
        "UpdateService",
        eng,
        {"cluster": "voltlane-prod", "service": "ocpp-gateway", "desiredCount": 10},
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": "ocpp-gateway",
                "desiredCount": 10,
                "runningCount": tasks0,
                "status": "ACTIVE",
                "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/ocpp-gateway:{td_rev}",
            }
        },
        read_only=False,
        ip=eng_ip,
        agent=k.CONSOLE_UA,
    )
    # the queue's own history: created long ago by Terraform
    tr.add(
        start + timedelta(minutes=rng.randint(30, 300)),
        "sqs.amazonaws.com",
        "ListQueueTags",
        tr.role("voltlane-terraform", "atlantis"),
        {"queueUrl": q_url},
        None,
        read_only=True,
        ip=f"10.40.{rng.randint(1, 9)}.{rng.randint(2, 250)}",
        agent=k.TF_UA.format(api="sqs#1.31.4"),
    )

    # --- resources and events -------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(420, 900))
    res: list[dict[str, Any]] = []

    def add(service: str, type_: str, item: dict[str, Any]) -> None:
        res.append({"service": service, "type": type_, "item": item})

    q_arn = f"arn:aws:sqs:{REGION}:{acct}:{QUEUE}"
    dlq_arn = f"arn:aws:sqs:{REGION}:{acct}:charger-events-dlq.fifo"
    add(
        "sqs",
        "Queue",
        {
            "QueueUrl": q_url,
            "Attributes": {
                "QueueArn": q_arn,
                "ApproximateNumberOfMessages": str(rng.randint(60, 140)),
                "ApproximateNumberOfMessagesNotVisible": str(rng.randint(120, 200)),
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int((created + timedelta(days=3)).timestamp())),
                "VisibilityTimeout": "60",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "345600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}, separators=(",", ":")
                ),
                "FifoQueue": "true",
                "ContentBasedDeduplication": "true",
                "DeduplicationScope": "queue",
                "FifoThroughputLimit": "perQueue",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"service": "charging-sessions", "owner": "platform", "managed-by": "terraform"},
        },
    )
    add(
        "sqs",
        "Queue",
        {
            "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{acct}/charger-events-dlq.fifo",
            "Attributes": {
                "QueueArn": dlq_arn,
                "ApproximateNumberOfMessages": "3",
                "ApproximateNumberOfMessagesNotVisible": "0",
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp())),
                "LastModifiedTimestamp": str(int(created.timestamp())),
                "VisibilityTimeout": "30",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "0",
                "FifoQueue": "true",
                "ContentBasedDeduplication": "true",
                "DeduplicationScope": "queue",
                "FifoThroughputLimit": "perQueue",
                "SqsManagedSseEnabled": "true",
                "RedriveAllowPolicy": json.dumps(
                    {"redrivePermission": "byQueue", "sourceQueueArns": [q_arn]}, separators=(",", ":")
                ),
            },
            "Tags": {"service": "charging-sessions", "owner": "platform", "managed-by": "terraform"},
        },
    )
    add(
        "sqs",
        "Queue",
        {
            "QueueUrl": diag_url,
            "Attributes": {
                "QueueArn": f"arn:aws:sqs:{REGION}:{acct}:charger-diagnostics",
                "ApproximateNumberOfMessages": str(rng.randint(0, 30)),
                "ApproximateNumberOfMessagesNotVisible": str(rng.randint(0, 20)),
                "ApproximateNumberOfMessagesDelayed": "0",
                "CreatedTimestamp": str(int(created.timestamp()) + 86400 * 90),
                "LastModifiedTimestamp": str(int(diag_change.timestamp())),
                "VisibilityTimeout": "120",
                "MaximumMessageSize": "262144",
                "MessageRetentionPeriod": "1209600",
                "DelaySeconds": "0",
                "ReceiveMessageWaitTimeSeconds": "20",
                "SqsManagedSseEnabled": "true",
            },
            "Tags": {"service": "charger-diagnostics", "owner": "firmware"},
        },
    )
    esm_uuid = k.uid(rng)
    add(
        "lambda",
        "EventSourceMappingConfiguration",
        {
            "UUID": esm_uuid,
            "BatchSize": 10,
            "MaximumBatchingWindowInSeconds": 0,
            "EventSourceArn": q_arn,
            "FunctionArn": f"arn:aws:lambda:{REGION}:{acct}:function:session-ledger",
            "LastModified": k.iso(created + timedelta(days=40)),
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "ScalingConfig": {},
            "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:{acct}:event-source-mapping:{esm_uuid}",
        },
    )
    for fn, rt, memory, tmo, lm in (
        ("session-ledger", "nodejs20.x", 512, 30, day - timedelta(days=rng.randint(8, 30))),
        ("driver-app-api", "nodejs20.x", 1024, 10, drv_deploy + timedelta(seconds=4)),
        ("session-billing", "python3.12", 512, 60, yd + timedelta(seconds=5)),
    ):
        add(
            "lambda",
            "FunctionConfiguration",
            k.function_config(
                acct,
                REGION,
                fn,
                runtime=rt,
                handler="index.handler" if rt.startswith("node") else "app.handler",
                role=f"{fn}-exec",
                memory=memory,
                timeout=tmo,
                last_modified=lm,
                rng=rng,
                env={"TABLE_NAME": "charging-sessions", "POWERTOOLS_SERVICE_NAME": fn},
            ),
        )
        add("iam", "Role", k.role_item(acct, f"{fn}-exec", "lambda.amazonaws.com", created, rng))
        add("logs", "LogGroup", k.log_group(acct, REGION, f"/aws/lambda/{fn}", created, 14))
    add(
        "iam",
        "Role",
        k.role_item(
            acct, "ocpp-gateway-task", "ecs-tasks.amazonaws.com", created, rng, "ocpp-gateway task role"
        ),
    )
    add("logs", "LogGroup", k.log_group(acct, REGION, grp, created, 30))
    add(
        "dynamodb",
        "TableDescription",
        {
            "TableName": "charging-sessions",
            "TableStatus": "ACTIVE",
            "CreationDateTime": k.iso(created),
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": k.iso(created),
            },
            "TableSizeBytes": rng.randint(40 * 10**9, 90 * 10**9),
            "ItemCount": rng.randint(10**8, 4 * 10**8),
            "TableArn": f"arn:aws:dynamodb:{REGION}:{acct}:table/charging-sessions",
            "TableId": k.uid(rng),
            "DeletionProtectionEnabled": True,
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    )
    cluster_arn = f"arn:aws:ecs:{REGION}:{acct}:cluster/voltlane-prod"
    add(
        "ecs",
        "Cluster",
        {
            "clusterArn": cluster_arn,
            "clusterName": "voltlane-prod",
            "status": "ACTIVE",
            "registeredContainerInstancesCount": 0,
            "runningTasksCount": 10 + rng.randint(14, 30),
            "pendingTasksCount": 0,
            "activeServicesCount": rng.randint(8, 14),
            "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
            "settings": [{"name": "containerInsights", "value": "disabled"}],
        },
    )
    dep_id = "ecs-svc/" + "".join(str(rng.randint(0, 9)) for _ in range(19))
    dep_created = day - timedelta(days=rng.randint(3, 9), hours=rng.randint(1, 8))
    svc_events: list[dict[str, Any]] = []
    tt = start + timedelta(hours=rng.randint(1, 5))
    while tt < now:
        if tt < scale_at or tt > scale_at + timedelta(minutes=10):
            svc_events.append(
                {
                    "id": k.uid(rng),
                    "createdAt": k.iso(tt),
                    "message": "(service ocpp-gateway) has reached a steady state.",
                }
            )
        tt += timedelta(hours=6)
    new_tasks = task_ids[tasks0:]
    svc_events.append(
        {
            "id": k.uid(rng),
            "createdAt": k.iso(scale_at + timedelta(seconds=21)),
            "message": "(service ocpp-gateway) has started 4 tasks: "
            + " ".join(f"(task {x})" for x in new_tasks)
            + ".",
        }
    )
    svc_events.append(
        {
            "id": k.uid(rng),
            "createdAt": k.iso(scale_at + timedelta(minutes=2, seconds=40)),
            "message": "(service ocpp-gateway) has reached a steady state.",
        }
    )
    svc_events.sort(key=lambda e: e["createdAt"], reverse=True)
    net = {
        "awsvpcConfiguration": {
            "subnets": [f"subnet-0{k.hexs(rng, 16)}" for _ in range(3)],
            "securityGroups": [f"sg-0{k.hexs(rng, 16)}"],
            "assignPublicIp": "DISABLED",
        }
    }
    add(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "ocpp-gateway",
            "clusterArn": cluster_arn,
            "status": "ACTIVE",
            "desiredCount": 10,
            "runningCount": 10,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "platformFamily": "Linux",
            "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/ocpp-gateway:{td_rev}",
            "loadBalancers": [
                {
                    "targetGroupArn": f"arn:aws:elasticloadbalancing:{REGION}:{acct}:targetgroup/ocpp-gateway-ws/{k.hexs(rng, 16)}",
                    "containerName": "ocpp-gateway",
                    "containerPort": 8080,
                }
            ],
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                "maximumPercent": 200,
                "minimumHealthyPercent": 100,
            },
            "deployments": [
                {
                    "id": dep_id,
                    "status": "PRIMARY",
                    "taskDefinition": f"arn:aws:ecs:{REGION}:{acct}:task-definition/ocpp-gateway:{td_rev}",
                    "desiredCount": 10,
                    "pendingCount": 0,
                    "runningCount": 10,
                    "failedTasks": 0,
                    "createdAt": k.iso(dep_created),
                    "updatedAt": k.iso(scale_at + timedelta(minutes=2, seconds=40)),
                    "launchType": "FARGATE",
                    "platformVersion": "1.4.0",
                    "platformFamily": "Linux",
                    "networkConfiguration": net,
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "events": [],
            "createdAt": k.iso(created),
            "networkConfiguration": net,
            "healthCheckGracePeriodSeconds": 60,
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "enableECSManagedTags": True,
            "propagateTags": "SERVICE",
            "enableExecuteCommand": False,
        },
    )

    ev = alarms[0].event()
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": ev},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": q_url,
                    "category": "limit",
                    "failure_mode": "sqs-fifo-per-queue-throughput-ceiling",
                    "event_id": None,
                },
                "also_accept": [QUEUE, q_arn],
                "actions": ["reconfigure", "scale"],
                "chain": [
                    f"{QUEUE} is a FIFO queue with DeduplicationScope=queue and FifoThroughputLimit=perQueue (no high-throughput mode): about 300 SendMessage calls a second",
                    "Tonight's plug-in peak pushed the ocpp-gateway's single-message sends past that ceiling (yesterday's peak stayed just under it)",
                    "SQS throttled the excess sends (RequestThrottled); NumberOfMessagesSent flattened at the ceiling",
                    "ocpp-gateway gave up after retries and answered chargers with CALLERROR, so PublishFailures crossed its alarm threshold",
                    "Start/meter events never reached session-ledger and charging-sessions, so drivers' sessions stay 'starting'; adding gateway tasks did not help",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": M.rows,
            "alarms": [al.item() for al in alarms],
            "alarm_history": [h for al in alarms for h in al.history],
            "logs": logs,
            "cloudtrail": tr.sorted_rows(),
            "resources": res,
            "events": [
                {"source": "ecs", "item": {"service_arn": svc_arn, "event": e}}
                for e in svc_events
                if e["createdAt"] <= k.iso(now)
            ],
        },
    )
