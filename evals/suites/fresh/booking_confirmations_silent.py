"""Booking confirmations and calendar invites stop; the booking API itself is healthy."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh._kit_zj import (
    Json,
    Kit,
    around,
    const,
    diurnal,
    floor_min,
    iso,
    iso_ms,
    latency_hist,
    noise,
    pick_day,
    terraform_agent,
)

NAME = "deskflow-booking-confirmations-missing"
TITLE = "Desk and room booking confirmations and calendar invites not going out since late morning"
SUMMARY = (
    "A Terraform apply switched the bookings table's stream view type, which replaced the stream; the "
    "notification fan-out Lambda's event source mapping kept reading the old, disabled stream."
)

TZ = ZoneInfo("Europe/London")
js = partial(json.dumps, separators=(",", ":"))


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed, "eu-west-2")
    rng = kit.rng
    day = pick_day(rng, [0, 1, 2, 3])
    local_t0 = datetime(day.year, day.month, day.day, 11, rng.randint(0, 25), rng.randint(0, 59), tzinfo=TZ)
    t0 = local_t0.astimezone(ZoneInfo("UTC"))  # the disabling UpdateTable
    off_h = (local_t0.utcoffset() or timedelta()).total_seconds() / 3600
    start = floor_min(t0 - timedelta(hours=6, minutes=rng.randint(0, 40)), 5)
    now = t0 + timedelta(minutes=rng.randint(96, 128), seconds=rng.randint(0, 59))
    end = now
    fine_from = floor_min(t0 - timedelta(minutes=45), 5)
    acct, region = kit.account, kit.region

    # --- names & ids ---------------------------------------------------------------------------------
    table = "deskflow-bookings"
    table_arn = kit.arn("dynamodb", f"table/{table}")
    old_label_t = day - timedelta(days=rng.randint(200, 500), seconds=rng.randint(0, 86000))
    old_label = old_label_t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}"
    new_label_t = t0 + timedelta(seconds=rng.randint(38, 55))
    new_label = new_label_t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}"
    old_stream = f"{table_arn}/stream/{old_label}"
    new_stream = f"{table_arn}/stream/{new_label}"
    audit_table = "deskflow-booking-audit"
    lb_name = "deskflow-api-prod"
    lb_dim = f"app/{lb_name}/{kit.hex(16)}"
    tg_dim = f"targetgroup/booking-api-prod/{kit.hex(16)}"
    lb_arn = kit.arn("elasticloadbalancing", f"loadbalancer/{lb_dim}")
    tg_arn = kit.arn("elasticloadbalancing", tg_dim)
    cluster = "deskflow-prod"
    topic = "booking-events"
    topic_arn = kit.arn("sns", topic)
    alerts_arn = kit.arn("sns", "deskflow-oncall-alerts")
    q_email, q_cal = "booking-email-outbox", "calendar-sync"
    fn_fanout, fn_email, fn_cal, fn_audit = (
        "booking-events-fanout",
        "booking-email-sender",
        "calendar-invite-writer",
        "booking-audit-writer",
    )
    esm_fanout, esm_audit, esm_email, esm_cal = kit.uuid(), kit.uuid(), kit.uuid(), kit.uuid()
    vpc_subnets = [f"subnet-0{kit.hex(16)}" for _ in range(3)]
    sg_api = f"sg-0{kit.hex(16)}"

    def fn_arn(name: str) -> str:
        return kit.arn("lambda", f"function:{name}")

    def q_url(name: str) -> str:
        return f"https://sqs.{region}.amazonaws.com/{acct}/{name}"

    # --- traffic -------------------------------------------------------------------------------------
    base = rng.uniform(55, 85)  # bookings written per minute at the morning peak

    def writes(t: datetime) -> float:
        return base * diurnal(t, off_h, peak_h=9.6, floor=0.05, width=3.2) + 1.5

    # per-minute noisy series cached so related metrics agree
    minute_writes: dict[datetime, float] = {}

    def w(t: datetime) -> float:
        if t not in minute_writes:
            minute_writes[t] = noise(rng, writes(t), 0.1)
        return minute_writes[t]

    t_cut = t0 + timedelta(seconds=50)  # the fan-out's last batch from the old stream

    def before(t: datetime) -> bool:
        return t < floor_min(t_cut)

    # --- metrics: ALB / ECS ---------------------------------------------------------------------------
    def reqs(t: datetime) -> float:
        return w(t) * rng.uniform(11, 13)

    req_cache: dict[datetime, float] = {}

    def r(t: datetime) -> float:
        if t not in req_cache:
            req_cache[t] = reqs(t)
        return req_cache[t]

    lb = {"LoadBalancer": lb_dim}
    tg = {"LoadBalancer": lb_dim, "TargetGroup": tg_dim}
    s = kit.series
    s("AWS/ApplicationELB", "RequestCount", lb, "Count", r, start, end, fine_from=fine_from, digits=0)
    s("AWS/ApplicationELB", "RequestCount", tg, "Count", r, start, end, fine_from=fine_from, digits=0)
    s(
        "AWS/ApplicationELB",
        "HTTPCode_Target_2XX_Count",
        tg,
        "Count",
        lambda t: r(t) * 0.962,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        tg,
        "Count",
        lambda t: r(t) * rng.uniform(0.025, 0.045),
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tg,
        "Count",
        lambda t: 1.0 if rng.random() < 0.03 else None,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tg,
        "Count",
        lambda t: 4.0,
        start,
        end,
        fine_from=fine_from,
        kind="avg",
    )
    s(
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        tg,
        "Count",
        lambda t: 0.0,
        start,
        end,
        fine_from=fine_from,
        kind="avg",
    )
    kit.dist_series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tg,
        "Seconds",
        lambda t: latency_hist(rng, 0.041, 0.55, r(t)),
        start,
        end,
        fine_from=fine_from,
    )
    svc = {"ClusterName": cluster, "ServiceName": "booking-api"}
    s(
        "AWS/ECS",
        "CPUUtilization",
        svc,
        "Percent",
        lambda t: noise(rng, 9 + 30 * r(t) / (base * 12), 0.06),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )
    s(
        "AWS/ECS",
        "MemoryUtilization",
        svc,
        "Percent",
        lambda t: noise(rng, 41.0, 0.02),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )

    # --- DynamoDB ----------------------------------------------------------------------------------------
    tdim = {"TableName": table}
    s(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        tdim,
        "Count",
        lambda t: w(t) * 2.3,
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    s(
        "AWS/DynamoDB",
        "ConsumedReadCapacityUnits",
        tdim,
        "Count",
        lambda t: r(t) * 1.9,
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    for op, lat in (("PutItem", 5.1), ("UpdateItem", 5.6), ("Query", 4.2), ("GetItem", 2.9)):
        s(
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            {"TableName": table, "Operation": op},
            "Milliseconds",
            around(rng, lat, 0.12),
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=2,
        )
    s(
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        {"TableName": audit_table},
        "Count",
        lambda t: w(t) * 1.05 if t >= floor_min(new_label_t) + timedelta(minutes=1) else None,
        start,
        end,
        fine_from=fine_from,
        digits=1,
    )
    old_sd = {"TableName": table, "StreamLabel": old_label, "Operation": "GetRecords"}
    new_sd = {"TableName": table, "StreamLabel": new_label, "Operation": "GetRecords"}
    s(
        "AWS/DynamoDB",
        "ReturnedRecordsCount",
        old_sd,
        "Count",
        lambda t: w(t) * 1.0 if before(t) else 0.0,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        old_sd,
        "Milliseconds",
        lambda t: noise(rng, 7.5, 0.15),
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )
    new_on = floor_min(new_label_t) + timedelta(minutes=1)
    s(
        "AWS/DynamoDB",
        "ReturnedRecordsCount",
        new_sd,
        "Count",
        lambda t: w(t) if t >= new_on else None,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/DynamoDB",
        "SuccessfulRequestLatency",
        new_sd,
        "Milliseconds",
        lambda t: noise(rng, 7.2, 0.15) if t >= new_on else None,
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=2,
    )

    # --- Lambda ----------------------------------------------------------------------------------------
    def lam(name: str, inv: Callable[[datetime], float | None], dur: float, stream_src: bool) -> None:
        d = {"FunctionName": name}
        s("AWS/Lambda", "Invocations", d, "Count", inv, start, end, fine_from=fine_from, digits=0)
        s(
            "AWS/Lambda",
            "Errors",
            d,
            "Count",
            lambda t: 0.0 if inv(t) is not None else None,
            start,
            end,
            fine_from=fine_from,
            digits=0,
        )
        s(
            "AWS/Lambda",
            "Duration",
            d,
            "Milliseconds",
            lambda t: noise(rng, dur, 0.15) if inv(t) is not None else None,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=2,
        )
        s(
            "AWS/Lambda",
            "ConcurrentExecutions",
            d,
            "Count",
            lambda t: max(1.0, round((inv(t) or 0) * dur / 60000 * 3)) if inv(t) is not None else None,
            start,
            end,
            fine_from=fine_from,
            kind="max",
            digits=0,
        )
        if stream_src:
            s(
                "AWS/Lambda",
                "IteratorAge",
                d,
                "Milliseconds",
                lambda t: noise(rng, 420, 0.4) if inv(t) is not None else None,
                start,
                end,
                fine_from=fine_from,
                kind="max",
                digits=0,
            )

    def fan_inv(t: datetime) -> float | None:
        return max(1.0, w(t) / rng.uniform(2.4, 3.2)) if before(t) else None

    def email_inv(t: datetime) -> float | None:
        return max(1.0, w(t) * 0.74 / 1.6) if t < floor_min(t_cut) + timedelta(minutes=1) else None

    def cal_inv(t: datetime) -> float | None:
        return max(1.0, w(t) * 0.61 / 1.3) if t < floor_min(t_cut) + timedelta(minutes=1) else None

    def audit_inv(t: datetime) -> float | None:
        return max(1.0, w(t) / rng.uniform(2.4, 3.2)) if t >= new_on else None

    lam(fn_fanout, fan_inv, 88.0, True)
    lam(fn_email, email_inv, 310.0, False)
    lam(fn_cal, cal_inv, 540.0, False)
    lam(fn_audit, audit_inv, 61.0, True)

    # --- SNS / SQS ---------------------------------------------------------------------------------------
    tp = {"TopicName": topic}
    s(
        "AWS/SNS",
        "NumberOfMessagesPublished",
        tp,
        "Count",
        lambda t: w(t) * 0.93 if before(t) else None,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/SNS",
        "NumberOfNotificationsDelivered",
        tp,
        "Count",
        lambda t: w(t) * 0.93 * 1.35 if before(t) else None,
        start,
        end,
        fine_from=fine_from,
        digits=0,
    )
    s(
        "AWS/SNS",
        "PublishSize",
        tp,
        "Bytes",
        lambda t: noise(rng, 1480, 0.05) if before(t) else None,
        start,
        end,
        fine_from=fine_from,
        kind="avg",
        digits=0,
    )
    for q, share in ((q_email, 0.74), (q_cal, 0.61)):
        qd = {"QueueName": q}

        def sent(t: datetime, share: float = share) -> float:
            return w(t) * share if before(t) else 0.0

        s("AWS/SQS", "NumberOfMessagesSent", qd, "Count", sent, start, end, fine_from=fine_from, digits=0)
        s("AWS/SQS", "NumberOfMessagesReceived", qd, "Count", sent, start, end, fine_from=fine_from, digits=0)
        s("AWS/SQS", "NumberOfMessagesDeleted", qd, "Count", sent, start, end, fine_from=fine_from, digits=0)
        s(
            "AWS/SQS",
            "NumberOfEmptyReceives",
            qd,
            "Count",
            lambda t: noise(rng, 58, 0.05),
            start,
            end,
            fine_from=fine_from,
            digits=0,
        )
        s(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            qd,
            "Count",
            lambda t: float(rng.randint(0, 2)) if before(t) else 0.0,
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=0,
        )
        s(
            "AWS/SQS",
            "ApproximateAgeOfOldestMessage",
            qd,
            "Seconds",
            lambda t: float(rng.randint(0, 3)) if before(t) else 0.0,
            start,
            end,
            fine_from=fine_from,
            kind="max",
            digits=0,
        )
        dlq_level = 3.0 if q == q_email else 0.0
        s(
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": q + "-dlq"},
            "Count",
            const(dlq_level),
            start,
            end,
            fine_from=fine_from,
            kind="avg",
            digits=0,
        )

    # --- alarms --------------------------------------------------------------------------------------------
    common: dict[str, Any] = {"start": start, "now": now, "topic_arn": alerts_arn}
    kit.alarm(
        "booking-api-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims=tg,
        stat="Sum",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=3,
        threshold=10,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="booking-api returning 5xx through deskflow-api-prod",
        **common,
    )
    kit.alarm(
        "booking-api-p99-latency",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims=tg,
        stat="p99",
        period=300,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        threshold=1.5,
        comparison="GreaterThanThreshold",
        treat_missing="notBreaching",
        description="booking-api p99 above 1.5s",
        **common,
    )
    kit.alarm(
        f"{fn_fanout}-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": fn_fanout},
        stat="Sum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=1,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Fan-out of booking stream records failing",
        **common,
    )
    kit.alarm(
        f"{fn_fanout}-iterator-age",
        namespace="AWS/Lambda",
        metric="IteratorAge",
        dims={"FunctionName": fn_fanout},
        stat="Maximum",
        period=60,
        evaluation_periods=5,
        datapoints_to_alarm=5,
        threshold=120000,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="missing",
        description="booking-events-fanout falling behind the bookings stream",
        **common,
    )
    kit.alarm(
        f"{q_email}-dlq-depth",
        namespace="AWS/SQS",
        metric="ApproximateNumberOfMessagesVisible",
        dims={"QueueName": q_email + "-dlq"},
        stat="Maximum",
        period=300,
        evaluation_periods=1,
        datapoints_to_alarm=1,
        threshold=10,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Confirmation emails dead-lettering",
        **common,
    )
    kit.alarm(
        f"{q_cal}-oldest-message",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": q_cal},
        stat="Maximum",
        period=300,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        threshold=900,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Calendar invites waiting more than 15 minutes",
        **common,
    )

    # --- logs ------------------------------------------------------------------------------------------------
    api_group = "/ecs/booking-api"
    old_tasks = [kit.hex(32) for _ in range(4)]
    new_tasks = [kit.hex(32) for _ in range(4)]
    deploy_t = t0 - timedelta(minutes=rng.randint(16, 22), seconds=rng.randint(0, 59))
    hosts = {
        tid: f"ip-10-42-{rng.randint(1, 60)}-{rng.randint(4, 250)}.{region}.compute.internal"
        for tid in old_tasks + new_tasks
    }
    sites = ["LDN-KX", "LDN-SHO", "MAN-PIC", "EDI-QST", "AMS-ZUI", "DUB-GCD"]
    t = start
    while t < now:
        tasks = old_tasks if t < deploy_t + timedelta(minutes=3) else new_tasks
        rate = r(floor_min(t)) / 60
        t += timedelta(seconds=rng.expovariate(max(rate / 150, 0.01)))
        tid = rng.choice(tasks)
        stream = f"booking-api/booking-api/{tid}"
        roll = rng.random()
        if roll < 0.45:
            method, url, code, rt = "POST", "/v2/bookings", 201, rng.uniform(28, 95)
            bid = "bk_" + kit.hex(12)
            kit.log(
                api_group,
                stream,
                t,
                js(
                    {
                        "level": 30,
                        "time": int(t.timestamp() * 1000),
                        "pid": 1,
                        "hostname": hosts[tid],
                        "bookingId": bid,
                        "site": rng.choice(sites),
                        "resource": rng.choice(["desk", "desk", "room"]),
                        "msg": "booking created",
                    }
                ),
            )
        elif roll < 0.8:
            method, url, code, rt = (
                "GET",
                "/v2/sites/" + rng.choice(sites) + "/availability",
                200,
                rng.uniform(12, 60),
            )
        elif roll < 0.9:
            method, url, code, rt = "PATCH", "/v2/bookings/bk_" + kit.hex(12), 200, rng.uniform(20, 70)
        elif roll < 0.97:
            method, url, code, rt = "DELETE", "/v2/bookings/bk_" + kit.hex(12), 204, rng.uniform(20, 60)
        else:
            method, url, code, rt = "POST", "/v2/bookings", 409, rng.uniform(15, 40)
            kit.log(
                api_group,
                stream,
                t,
                js(
                    {
                        "level": 40,
                        "time": int(t.timestamp() * 1000),
                        "pid": 1,
                        "hostname": hosts[tid],
                        "msg": "slot already taken",
                        "site": rng.choice(sites),
                        "err": {"type": "BookingConflict"},
                    }
                ),
            )
        kit.log(
            api_group,
            stream,
            t + timedelta(milliseconds=rt),
            js(
                {
                    "level": 30,
                    "time": int((t.timestamp() + rt / 1000) * 1000),
                    "pid": 1,
                    "hostname": hosts[tid],
                    "reqId": "req-" + kit.hex(6),
                    "req": {"method": method, "url": url},
                    "res": {"statusCode": code},
                    "responseTime": round(rt, 1),
                    "msg": "request completed",
                }
            ),
        )
    for tid in new_tasks:
        ts = deploy_t + timedelta(seconds=rng.uniform(70, 140))
        stream = f"booking-api/booking-api/{tid}"
        kit.log(
            api_group,
            stream,
            ts,
            js(
                {
                    "level": 30,
                    "time": int(ts.timestamp() * 1000),
                    "pid": 1,
                    "hostname": hosts[tid],
                    "msg": "Server listening at http://0.0.0.0:8080",
                }
            ),
        )
        kit.log(
            api_group,
            stream,
            ts + timedelta(seconds=2),
            js(
                {
                    "level": 40,
                    "time": int(ts.timestamp() * 1000) + 2000,
                    "pid": 1,
                    "hostname": hosts[tid],
                    "msg": "AWS SDK for JavaScript (v2) is in maintenance mode; migrate to v3",
                    "module": "legacy-export",
                }
            ),
        )

    def lambda_logs(
        name: str,
        inv: Callable[[datetime], float | None],
        dur: float,
        mem: int,
        lines_fn: Callable[[datetime], list[str]],
        every: float,
        first: datetime | None = None,
    ) -> None:
        group = f"/aws/lambda/{name}"
        streams: list[str] = []
        tt = first or start
        while tt < now:
            v = inv(floor_min(tt))
            if v is None:
                tt += timedelta(minutes=1)
                continue
            tt += timedelta(seconds=rng.expovariate(max(v / 60 / every, 0.001)))
            if tt >= now or inv(floor_min(tt)) is None:
                continue
            cold = not streams or rng.random() < 0.01
            if cold:
                streams.append(kit.lambda_stream(tt))
            kit.lambda_invocation(
                group,
                streams[-1],
                tt,
                noise(rng, dur, 0.2),
                mem,
                rng.randint(88, 120),
                lines_fn(tt),
                init_ms=rng.uniform(380, 620) if cold else None,
            )

    def fan_lines(tt: datetime) -> list[str]:
        n = rng.randint(1, 5)
        out = [
            f"{iso_ms(tt)}\t{{rid}}\tINFO\t"
            + js({"msg": "batch received", "records": n, "eventSourceARN": old_stream})
        ]
        for _ in range(min(n, 2)):
            out.append(
                f"{iso_ms(tt)}\t{{rid}}\tINFO\t"
                + js(
                    {
                        "msg": "published",
                        "type": rng.choice(
                            ["booking.created", "booking.created", "booking.cancelled", "booking.updated"]
                        ),
                        "bookingId": "bk_" + kit.hex(12),
                        "messageId": kit.uuid(),
                    }
                )
            )
        return out

    def email_lines(tt: datetime) -> list[str]:
        if rng.random() < 0.02:
            return [
                f"{iso_ms(tt)}\t{{rid}}\tWARN\t"
                + js(
                    {
                        "msg": "not sent: recipient on account suppression list",
                        "reason": "BOUNCE",
                        "bookingId": "bk_" + kit.hex(12),
                    }
                )
            ]
        return [
            f"{iso_ms(tt)}\t{{rid}}\tINFO\t"
            + js(
                {
                    "msg": "confirmation sent",
                    "template": rng.choice(["booking-confirmed-v3", "booking-cancelled-v2"]),
                    "sesMessageId": f"0102018{kit.hex(9)}-{kit.uuid()}-000000",
                }
            )
        ]

    def cal_lines(tt: datetime) -> list[str]:
        if rng.random() < 0.03:
            return [
                f"{iso_ms(tt)}\t{{rid}}\tWARN\t"
                + js({"msg": "Graph API throttled, retrying", "status": 429, "retryAfterSeconds": 2})
            ]
        return [
            f"{iso_ms(tt)}\t{{rid}}\tINFO\t"
            + js(
                {
                    "msg": "invite written",
                    "provider": rng.choice(["graph", "graph", "google"]),
                    "bookingId": "bk_" + kit.hex(12),
                }
            )
        ]

    def audit_lines(tt: datetime) -> list[str]:
        return [
            f"{iso_ms(tt)}\t{{rid}}\tINFO\t"
            + js({"msg": "audit rows written", "count": rng.randint(1, 5), "eventSourceARN": new_stream})
        ]

    lambda_logs(fn_fanout, fan_inv, 88, 256, fan_lines, 30)
    lambda_logs(fn_email, email_inv, 310, 512, email_lines, 30)
    lambda_logs(fn_cal, cal_inv, 540, 512, cal_lines, 30)
    lambda_logs(fn_audit, audit_inv, 61, 256, audit_lines, 30, first=new_on)

    # --- CloudTrail ------------------------------------------------------------------------------------------
    gha_ip = f"{rng.choice(['20.55', '4.227', '172.183'])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    tf = kit.role("gha-terraform-deskflow-core", "GitHubActions", ip=gha_ip, agent="")
    ecs_ci = kit.role("gha-deploy-booking-api", "GitHubActions", ip=gha_ip, agent="")
    priya = kit.sso("priya.nair@deskflow.io", "PlatformEngineer")
    tom = kit.sso("tom.whitfield@deskflow.io", "ReadOnlyAccess")
    dd = kit.role(
        "DatadogIntegrationRole",
        "DatadogAWSIntegration",
        ip=f"3.233.{rng.randint(128, 159)}.{rng.randint(1, 254)}",
        agent="Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)",
    )
    lam_svc = kit.service_principal("lambda.amazonaws.com")
    ecs_task = kit.role(
        "booking-api-task",
        kit.hex(32),
        ip=kit.ip("10.42"),
        agent="aws-sdk-js/3.552.0 ua/2.0 os/linux#5.10.219-208.866.amzn2.x86_64 lang/js "
        "md/nodejs#20.12.2 api/secrets-manager#3.552.0",
    )
    reads: list[tuple[str, str, Json | None]] = [
        ("monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        ("monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/DynamoDB"}),
        ("lambda.amazonaws.com", "ListFunctions20150331", {"maxItems": 50}),
        ("dynamodb.amazonaws.com", "ListTables", {"limit": 100}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("sqs.amazonaws.com", "ListQueues", None),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["booking-api"]}),
    ]
    kit.routine_reads([dd, dd, tom], reads, start, now, 26)
    for _ in range(5):
        ts = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
        ecs_task.call(
            ts,
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            {
                "secretId": kit.arn(
                    "secretsmanager", "secret:deskflow/booking-api/graph-client-" + kit.hex(6).upper()[:6]
                )
            },
            None,
            read_only=True,
        )
    for name in (fn_fanout, fn_email, fn_cal):
        ts = start + timedelta(seconds=rng.uniform(0, 3600))
        lam_svc.call(
            ts,
            "sts.amazonaws.com",
            "AssumeRole",
            {
                "roleArn": f"arn:aws:iam::{acct}:role/{name}-role",
                "roleSessionName": name,
                "durationSeconds": 43200,
            },
            {
                "credentials": {
                    "accessKeyId": "ASIA" + kit.upper_id(16),
                    "sessionToken": "IQoJb3JpZ2luX2VjE" + kit.upper_id(20),
                    "expiration": "Jan 1, 2030, 12:00:00 AM",
                },
                "assumedRoleUser": {
                    "assumedRoleId": "AROA" + kit.upper_id(17) + ":" + name,
                    "arn": f"arn:aws:sts::{acct}:assumed-role/{name}-role/{name}",
                },
            },
            read_only=True,
            extra={"sharedEventID": kit.uuid()},
        )

    # innocent change 1: booking-api deploy ~20 minutes before
    ta = terraform_agent
    ecs_agent = (
        "aws-sdk-js/3.552.0 ua/2.0 os/linux#6.5.0-1018-azure lang/js md/nodejs#20.12.2 "
        "api/ecs#3.552.0 aws-actions/amazon-ecs-deploy-task-definition"
    )
    td_rev = rng.randint(180, 260)
    ecs_ci.call(
        deploy_t - timedelta(seconds=9),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": "booking-api",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "booking-api",
                    "image": f"{acct}.dkr.ecr.{region}.amazonaws.com/booking-api:{kit.hex(7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": kit.arn("ecs", f"task-definition/booking-api:{td_rev}"),
                "family": "booking-api",
                "revision": td_rev,
                "status": "ACTIVE",
            }
        },
        read_only=False,
        agent=ecs_agent,
    )
    ecs_ci.call(
        deploy_t,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster,
            "service": "booking-api",
            "taskDefinition": kit.arn("ecs", f"task-definition/booking-api:{td_rev}"),
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "booking-api",
                "status": "ACTIVE",
                "desiredCount": 4,
                "taskDefinition": kit.arn("ecs", f"task-definition/booking-api:{td_rev}"),
            }
        },
        read_only=False,
        agent=ecs_agent,
    )
    for k in range(3):
        ecs_ci.call(
            deploy_t + timedelta(seconds=15 * (k + 1) + rng.uniform(0, 5)),
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster, "services": ["booking-api"]},
            None,
            read_only=True,
            agent=ecs_agent,
        )

    # the Terraform apply in deskflow-core: new audit consumer, stream view type switched
    apply_t = t0 - timedelta(seconds=rng.randint(70, 110))
    tt = apply_t
    for src, nm, prm in [
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": table}),
        ("dynamodb.amazonaws.com", "DescribeContinuousBackups", {"tableName": table}),
        ("dynamodb.amazonaws.com", "DescribeTimeToLive", {"tableName": table}),
        ("dynamodb.amazonaws.com", "ListTagsOfResource", {"resourceArn": table_arn}),
        ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": audit_table}),
        ("iam.amazonaws.com", "GetRole", {"roleName": "booking-api-task"}),
    ]:
        tt += timedelta(seconds=rng.uniform(0.3, 2.5))
        rec = tf.call(tt, src, nm, prm, None, read_only=True, agent=ta(src.split(".")[0] + "#1.31.1"))
        if src.startswith("iam"):
            rec["awsRegion"] = "us-east-1"
    tt += timedelta(seconds=3)
    rec = tf.call(
        tt,
        "iam.amazonaws.com",
        "CreateRole",
        {
            "roleName": f"{fn_audit}-role",
            "path": "/",
            "assumeRolePolicyDocument": js(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        },
        {
            "role": {
                "roleName": f"{fn_audit}-role",
                "path": "/",
                "arn": f"arn:aws:iam::{acct}:role/{fn_audit}-role",
                "roleId": "AROA" + kit.upper_id(17),
                "createDate": "x",
            }
        },
        read_only=False,
        agent=ta("iam#1.31.4"),
    )
    rec["awsRegion"] = "us-east-1"
    rec["responseElements"]["role"]["createDate"] = tt.strftime("%b %-d, %Y, %-I:%M:%S ") + (
        "AM" if tt.hour < 12 else "PM"
    )
    tt += timedelta(seconds=1.2)
    rec = tf.call(
        tt,
        "iam.amazonaws.com",
        "PutRolePolicy",
        {
            "roleName": f"{fn_audit}-role",
            "policyName": "stream-read-and-audit-write",
            "policyDocument": js(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": [
                                "dynamodb:GetRecords",
                                "dynamodb:GetShardIterator",
                                "dynamodb:DescribeStream",
                                "dynamodb:ListStreams",
                            ],
                            "Resource": f"{table_arn}/stream/*",
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["dynamodb:BatchWriteItem", "dynamodb:PutItem"],
                            "Resource": kit.arn("dynamodb", f"table/{audit_table}"),
                        },
                    ],
                }
            ),
        },
        None,
        read_only=False,
        agent=ta("iam#1.31.4"),
    )
    rec["awsRegion"] = "us-east-1"
    tt = t0
    culprit = tf.call(
        tt,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        {"tableName": table, "streamSpecification": {"streamEnabled": False}},
        {
            "tableDescription": {
                "tableName": table,
                "tableArn": table_arn,
                "tableStatus": "UPDATING",
                "tableId": kit.uuid(),
                "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"},
                "latestStreamLabel": old_label,
                "latestStreamArn": old_stream,
            }
        },
        read_only=False,
        agent=ta("dynamodb#1.31.1"),
    )
    for _k in range(rng.randint(3, 5)):
        tt += timedelta(seconds=rng.uniform(5, 9))
        tf.call(
            tt,
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": table},
            None,
            read_only=True,
            agent=ta("dynamodb#1.31.1"),
        )
    tf.call(
        new_label_t,
        "dynamodb.amazonaws.com",
        "UpdateTable",
        {
            "tableName": table,
            "streamSpecification": {"streamEnabled": True, "streamViewType": "NEW_AND_OLD_IMAGES"},
        },
        {
            "tableDescription": {
                "tableName": table,
                "tableArn": table_arn,
                "tableStatus": "UPDATING",
                "streamSpecification": {"streamEnabled": True, "streamViewType": "NEW_AND_OLD_IMAGES"},
                "latestStreamLabel": new_label,
                "latestStreamArn": new_stream,
            }
        },
        read_only=False,
        agent=ta("dynamodb#1.31.1"),
    )
    tt = new_label_t
    for _k in range(2):
        tt += timedelta(seconds=rng.uniform(5, 8))
        tf.call(
            tt,
            "dynamodb.amazonaws.com",
            "DescribeTable",
            {"tableName": table},
            None,
            read_only=True,
            agent=ta("dynamodb#1.31.1"),
        )
    code_sha = kit.upper_id(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "="
    tt += timedelta(seconds=2)
    tf.call(
        tt,
        "lambda.amazonaws.com",
        "CreateFunction20150331",
        {
            "functionName": fn_audit,
            "runtime": "nodejs20.x",
            "role": f"arn:aws:iam::{acct}:role/{fn_audit}-role",
            "handler": "dist/index.handler",
            "timeout": 30,
            "memorySize": 256,
            "publish": False,
            "architectures": ["arm64"],
            "code": {},
        },
        {
            "functionName": fn_audit,
            "functionArn": fn_arn(fn_audit),
            "runtime": "nodejs20.x",
            "codeSha256": code_sha,
            "state": "Pending",
            "stateReasonCode": "Creating",
        },
        read_only=False,
        agent=ta("lambda#1.54.0"),
    )
    tt += timedelta(seconds=6)
    tf.call(
        tt,
        "lambda.amazonaws.com",
        "CreateEventSourceMapping20150331",
        {
            "eventSourceArn": new_stream,
            "functionName": fn_audit,
            "startingPosition": "LATEST",
            "batchSize": 100,
            "maximumBatchingWindowInSeconds": 1,
            "enabled": True,
        },
        {
            "uUID": esm_audit,
            "eventSourceArn": new_stream,
            "functionArn": fn_arn(fn_audit),
            "state": "Creating",
            "batchSize": 100,
            "startingPosition": "LATEST",
        },
        read_only=False,
        agent=ta("lambda#1.54.0"),
    )
    tt += timedelta(seconds=1.5)
    tf.call(
        tt,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/aws/lambda/{fn_audit}", "retentionInDays": 30},
        None,
        read_only=False,
        agent=ta("cloudwatchlogs#1.35.0"),
    )

    # innocent change 2: visibility timeout raised on calendar-sync; and a dashboard edit
    tq = t0 + timedelta(minutes=rng.randint(11, 19), seconds=rng.randint(0, 59))
    priya.call(
        tq - timedelta(seconds=40),
        "sqs.amazonaws.com",
        "GetQueueAttributes",
        {"queueUrl": q_url(q_cal), "attributeNames": ["All"]},
        None,
        read_only=True,
        console=True,
    )
    priya.call(
        tq,
        "sqs.amazonaws.com",
        "SetQueueAttributes",
        {"queueUrl": q_url(q_cal), "attributes": {"VisibilityTimeout": "180"}},
        None,
        read_only=False,
        console=True,
    )
    priya.call(
        tq + timedelta(minutes=rng.randint(4, 9)),
        "monitoring.amazonaws.com",
        "PutDashboard",
        {
            "dashboardName": "deskflow-notifications",
            "dashboardBody": '{"widgets":[{"type":"metric","x":0,"y":0,"width":12}]}',
        },
        {"dashboardValidationMessages": []},
        read_only=False,
        console=True,
    )
    for _k in range(3):
        tom.call(
            now - timedelta(minutes=rng.randint(3, 25)),
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": rng.choice([fn_email, fn_cal])},
            None,
            read_only=True,
            console=True,
        )

    # --- resources ---------------------------------------------------------------------------------------
    created = day - timedelta(days=rng.randint(500, 900))
    table_item: Json = {
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "siteDay", "AttributeType": "S"},
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
        "TableSizeBytes": rng.randint(2_000_000_000, 4_000_000_000),
        "ItemCount": rng.randint(4_000_000, 9_000_000),
        "TableArn": table_arn,
        "TableId": kit.uuid(),
        "BillingModeSummary": {
            "BillingMode": "PAY_PER_REQUEST",
            "LastUpdateToPayPerRequestDateTime": iso(created),
        },
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-site-day",
                "KeySchema": [
                    {"AttributeName": "siteDay", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
                "IndexStatus": "ACTIVE",
                "ProvisionedThroughput": {
                    "NumberOfDecreasesToday": 0,
                    "ReadCapacityUnits": 0,
                    "WriteCapacityUnits": 0,
                },
                "IndexSizeBytes": rng.randint(1_000_000_000, 2_000_000_000),
                "ItemCount": rng.randint(3_000_000, 4_000_000),
                "IndexArn": f"{table_arn}/index/by-site-day",
            }
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        "LatestStreamLabel": new_label,
        "LatestStreamArn": new_stream,
        "SSEDescription": {
            "Status": "ENABLED",
            "SSEType": "KMS",
            "KMSMasterKeyArn": kit.arn("kms", f"key/{kit.uuid()}"),
        },
        "DeletionProtectionEnabled": True,
    }
    kit.resource("dynamodb", "TableDescription", table_item)
    kit.resource(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [
                {"AttributeName": "bookingId", "AttributeType": "S"},
                {"AttributeName": "at", "AttributeType": "S"},
            ],
            "TableName": audit_table,
            "KeySchema": [
                {"AttributeName": "bookingId", "KeyType": "HASH"},
                {"AttributeName": "at", "KeyType": "RANGE"},
            ],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(t0 - timedelta(days=rng.randint(2, 6))),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": rng.randint(100_000, 900_000),
            "ItemCount": rng.randint(300, 2000),
            "TableArn": kit.arn("dynamodb", f"table/{audit_table}"),
            "TableId": kit.uuid(),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "DeletionProtectionEnabled": False,
        },
    )

    def function(
        name: str, mem: int, timeout: int, modified: datetime, env: dict[str, str], desc: str
    ) -> None:
        kit.resource(
            "lambda",
            "FunctionConfiguration",
            {
                "FunctionName": name,
                "FunctionArn": fn_arn(name),
                "Runtime": "nodejs20.x",
                "Role": f"arn:aws:iam::{acct}:role/{name}-role",
                "Handler": "dist/index.handler",
                "CodeSize": rng.randint(180_000, 2_400_000),
                "Description": desc,
                "Timeout": timeout,
                "MemorySize": mem,
                "LastModified": modified.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                "CodeSha256": kit.upper_id(
                    43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                )
                + "=",
                "Version": "$LATEST",
                "Environment": {"Variables": env},
                "TracingConfig": {"Mode": "PassThrough"},
                "RevisionId": kit.uuid(),
                "State": "Active",
                "LastUpdateStatus": "Successful",
                "PackageType": "Zip",
                "Architectures": ["arm64"],
                "EphemeralStorage": {"Size": 512},
                "LoggingConfig": {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"},
            },
        )

    function(
        fn_fanout,
        256,
        30,
        day - timedelta(days=rng.randint(20, 60)),
        {"TOPIC_ARN": topic_arn, "LOG_LEVEL": "info"},
        "Publishes booking changes from the bookings stream",
    )
    function(
        fn_email,
        512,
        60,
        day - timedelta(days=rng.randint(5, 30)),
        {"FROM_ADDRESS": "bookings@deskflow.io", "CONFIG_SET": "deskflow-transactional"},
        "Sends booking confirmation emails",
    )
    function(
        fn_cal,
        512,
        120,
        day - timedelta(days=rng.randint(8, 40)),
        {"GRAPH_SECRET_ID": "deskflow/calendar/graph", "GOOGLE_SECRET_ID": "deskflow/calendar/google"},
        "Writes calendar invites for bookings",
    )
    function(
        fn_audit,
        256,
        30,
        new_label_t + timedelta(seconds=9),
        {"AUDIT_TABLE": audit_table},
        "Writes booking change history (old and new images)",
    )

    def esm(uuid: str, src: str, fn: str, modified: datetime, result: str, stream: bool) -> None:
        item: Json = {
            "UUID": uuid,
            "BatchSize": 100 if stream else 10,
            "MaximumBatchingWindowInSeconds": 1 if stream else 0,
            "EventSourceArn": src,
            "FunctionArn": fn_arn(fn),
            "LastModified": iso(modified),
            "LastProcessingResult": result,
            "State": "Enabled",
            "StateTransitionReason": "USER_INITIATED",
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "EventSourceMappingArn": kit.arn("lambda", f"event-source-mapping:{uuid}"),
        }
        if stream:
            item.update(
                {
                    "StartingPosition": "LATEST",
                    "ParallelizationFactor": 1,
                    "MaximumRecordAgeInSeconds": -1,
                    "BisectBatchOnFunctionError": True,
                    "MaximumRetryAttempts": 10,
                    "DestinationConfig": {"OnFailure": {"Destination": kit.arn("sqs", f"{fn}-failed")}},
                }
            )
        kit.resource("lambda", "EventSourceMappingConfiguration", item)

    esm(esm_fanout, old_stream, fn_fanout, old_label_t + timedelta(minutes=3), "No records processed", True)
    esm(esm_audit, new_stream, fn_audit, new_label_t + timedelta(seconds=15), "OK", True)
    esm(esm_email, kit.arn("sqs", q_email), fn_email, created + timedelta(days=40), "OK", False)
    esm(esm_cal, kit.arn("sqs", q_cal), fn_cal, created + timedelta(days=90), "OK", False)

    kit.resource(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "Owner": acct,
                "DisplayName": "",
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
                "Policy": js(
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
                                "Condition": {"StringEquals": {"AWS:SourceOwner": acct}},
                            }
                        ],
                    }
                ),
                "EffectiveDeliveryPolicy": js(
                    {
                        "http": {
                            "defaultHealthyRetryPolicy": {
                                "minDelayTarget": 20,
                                "maxDelayTarget": 20,
                                "numRetries": 3,
                            }
                        }
                    }
                ),
            },
        },
    )
    for q, fp in (
        (q_email, {"type": ["booking.created", "booking.cancelled", "booking.updated"]}),
        (q_cal, {"type": ["booking.created", "booking.cancelled"], "resource": ["room", "desk"]}),
    ):
        sub = f"{topic_arn}:{kit.uuid()}"
        kit.resource(
            "sns",
            "Subscription",
            {
                "SubscriptionArn": sub,
                "TopicArn": topic_arn,
                "Protocol": "sqs",
                "Endpoint": kit.arn("sqs", q),
                "Owner": acct,
                "Attributes": {
                    "FilterPolicy": js(fp),
                    "FilterPolicyScope": "MessageAttributes",
                    "RawMessageDelivery": "true",
                    "PendingConfirmation": "false",
                    "ConfirmationWasAuthenticated": "true",
                },
            },
        )
    for q, vis in ((q_email, "90"), (q_cal, "180"), (q_email + "-dlq", "30"), (q_cal + "-dlq", "30")):
        attrs = {
            "QueueArn": kit.arn("sqs", q),
            "ApproximateNumberOfMessages": "3" if q == q_email + "-dlq" else "0",
            "ApproximateNumberOfMessagesNotVisible": "0",
            "ApproximateNumberOfMessagesDelayed": "0",
            "CreatedTimestamp": str(int(created.timestamp()) + 86400 * 40),
            "LastModifiedTimestamp": str(int(tq.timestamp()))
            if q == q_cal
            else str(int(created.timestamp()) + 86400 * 300),
            "VisibilityTimeout": vis,
            "MaximumMessageSize": "262144",
            "MessageRetentionPeriod": "1209600",
            "DelaySeconds": "0",
            "ReceiveMessageWaitTimeSeconds": "20",
            "SqsManagedSseEnabled": "true",
        }
        if not q.endswith("-dlq"):
            attrs["RedrivePolicy"] = js(
                {"deadLetterTargetArn": kit.arn("sqs", q + "-dlq"), "maxReceiveCount": 5}
            )
        kit.resource(
            "sqs",
            "Queue",
            {"QueueUrl": q_url(q), "Attributes": attrs, "Tags": {"team": "notifications", "env": "prod"}},
        )
    kit.resource(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": lb_arn,
            "DNSName": f"internal-{lb_name}-{rng.randint(10**8, 10**9)}.{region}.elb.amazonaws.com",
            "CanonicalHostedZoneId": "ZHURV8PSTC4K8",
            "CreatedTime": iso(created),
            "LoadBalancerName": lb_name,
            "Scheme": "internet-facing",
            "VpcId": f"vpc-0{kit.hex(16)}",
            "State": {"Code": "active"},
            "Type": "application",
            "AvailabilityZones": [
                {"ZoneName": f"{region}{z}", "SubnetId": sn} for z, sn in zip("abc", vpc_subnets, strict=True)
            ],
            "SecurityGroups": [sg_api],
            "IpAddressType": "ipv4",
        },
    )
    kit.resource(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": tg_arn,
            "TargetGroupName": "booking-api-prod",
            "Protocol": "HTTP",
            "Port": 8080,
            "VpcId": f"vpc-0{kit.hex(16)}",
            "HealthCheckProtocol": "HTTP",
            "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": True,
            "HealthCheckIntervalSeconds": 15,
            "HealthCheckTimeoutSeconds": 5,
            "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 3,
            "HealthCheckPath": "/healthz",
            "Matcher": {"HttpCode": "200"},
            "LoadBalancerArns": [lb_arn],
            "TargetType": "ip",
            "ProtocolVersion": "HTTP1",
            "IpAddressType": "ipv4",
        },
    )
    svc_arn = kit.arn("ecs", f"service/{cluster}/booking-api")
    kit.resource(
        "ecs",
        "Service",
        {
            "serviceArn": svc_arn,
            "serviceName": "booking-api",
            "clusterArn": kit.arn("ecs", f"cluster/{cluster}"),
            "loadBalancers": [
                {"targetGroupArn": tg_arn, "containerName": "booking-api", "containerPort": 8080}
            ],
            "status": "ACTIVE",
            "desiredCount": 4,
            "runningCount": 4,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "platformVersion": "LATEST",
            "platformFamily": "Linux",
            "taskDefinition": kit.arn("ecs", f"task-definition/booking-api:{td_rev}"),
            "deployments": [
                {
                    "id": f"ecs-svc/{rng.randint(10**18, 10**19 - 1)}",
                    "status": "PRIMARY",
                    "taskDefinition": kit.arn("ecs", f"task-definition/booking-api:{td_rev}"),
                    "desiredCount": 4,
                    "pendingCount": 0,
                    "runningCount": 4,
                    "failedTasks": 0,
                    "createdAt": iso(deploy_t),
                    "updatedAt": iso(deploy_t + timedelta(minutes=4)),
                    "launchType": "FARGATE",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc completed.",
                }
            ],
            "createdAt": iso(created),
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": vpc_subnets,
                    "securityGroups": [sg_api],
                    "assignPublicIp": "DISABLED",
                }
            },
            "healthCheckGracePeriodSeconds": 30,
            "enableExecuteCommand": False,
        },
    )
    for _k, (msg, dt) in enumerate(
        [
            (
                f"(service booking-api) has started 4 tasks: (task {new_tasks[0]}) (task {new_tasks[1]}) "
                f"(task {new_tasks[2]}) (task {new_tasks[3]}).",
                20,
            ),
            (f"(service booking-api) registered 4 targets in (target-group {tg_arn})", 95),
            ("(service booking-api) has begun draining connections on 4 tasks.", 110),
            (f"(service booking-api) deregistered 4 targets in (target-group {tg_arn})", 120),
            (
                f"(service booking-api) has stopped 4 running tasks: (task {old_tasks[0]}) (task {old_tasks[1]}) "
                f"(task {old_tasks[2]}) (task {old_tasks[3]}).",
                190,
            ),
            ("(service booking-api) deployment ecs-svc completed.", 236),
            ("(service booking-api) has reached a steady state.", 240),
        ]
    ):
        kit.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": kit.uuid(),
                    "createdAt": iso(deploy_t + timedelta(seconds=dt)),
                    "message": msg,
                },
            },
        )

    # --- manifest --------------------------------------------------------------------------------------------
    ask_local = floor_min(local_t0 + timedelta(minutes=4), 5)
    clock = ask_local.strftime("%-I:%M").replace(":00", "") + ("am" if ask_local.hour < 12 else "pm")
    question = (
        f"Support says people stopped getting booking confirmation emails and calendar invites from about {clock} "
        "today. The bookings themselves go through and show up in the app, and nothing has paged. What's going on?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": acct,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": "Europe/London"},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": table,
                    "category": "change",
                    "failure_mode": "dynamodb-stream-replaced-consumer-on-old-stream",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [table_arn, old_stream, new_stream, esm_fanout],
                "actions": ["reconfigure"],
                "chain": [
                    f"Terraform UpdateTable on {table} disabled the stream and re-enabled it as NEW_AND_OLD_IMAGES, "
                    "creating a new stream ARN",
                    f"{fn_fanout}'s event source mapping {esm_fanout} still points at the old, disabled stream",
                    f"{fn_fanout} stops being invoked; nothing is published to the {topic} SNS topic",
                    f"{q_email} and {q_cal} receive no messages; {fn_email} and {fn_cal} send no confirmations "
                    "or invites",
                ],
            },
        }
    )
    return Bundle(manifest, kit.records())
