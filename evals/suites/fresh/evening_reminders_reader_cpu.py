"""No fault: the Aurora reader's CPU alarm pages at six in the evening, as it does every weekday, while the
Scheduler-started reminder run for tomorrow's appointments reads from the reader and sends its emails."""

from __future__ import annotations

import random
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzp import (
    Clinic,
    Rec,
    api_log_minute,
    hexid,
    pick_day,
    reminder_run,
)

NAME = "clinic-booking-db-reader-cpu-page-evening"
TITLE = "booking-db reader CPU alarm paged around six this evening; is something hammering the database?"
SUMMARY = (
    "The nightly reminder run for tomorrow's appointments (an EventBridge Scheduler-started ECS task reading "
    "from the Aurora reader) drives the reader's CPU over its alarm threshold for a quarter of an hour, as on "
    "every previous weekday; bookings are unaffected."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = pick_day(rng)
    run_t = day.replace(hour=18, minute=0, second=rng.randint(2, 25))
    start = run_t - timedelta(hours=4, minutes=rng.randint(5, 30))
    ctx = Clinic(rng, start, run_t + timedelta(hours=1))
    count = rng.randint(3300, 4600)
    tomorrow = (day + timedelta(days=1 if day.weekday() < 4 else 3)).strftime("%Y-%m-%d")
    end_run = reminder_run(ctx, run_t, tomorrow, count, per_min=170)
    busy_from = (run_t + timedelta(minutes=1)).replace(second=0)
    busy_to = end_run.replace(second=0) + timedelta(minutes=1)
    fire = run_t.replace(minute=20, second=rng.randint(25, 55))
    clear = busy_to + timedelta(minutes=rng.randint(4, 6))
    if clear <= fire:
        clear = fire + timedelta(minutes=5)
    ctx.now = clear + timedelta(minutes=rng.randint(6, 14))

    td = ctx.task_definition(
        "booking-api",
        ctx.api_rev,
        start - timedelta(days=rng.randint(1, 5)),
        ctx.api_env(ctx.db_endpoint),
        ctx.image_tag,
    )
    dep = ctx.deployment("booking-api", ctx.api_rev, 3, start - timedelta(days=1), start - timedelta(days=1))
    ctx.base_resources(
        [td], ctx.ecs_service("booking-api", ctx.api_rev, 3, [dep], start - timedelta(days=400), lb=True)
    )

    # --- the afternoon's other goings-on
    portal_t = start + timedelta(hours=rng.randint(1, 2), minutes=rng.randint(0, 50))
    ctx.trail(
        portal_t,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        "ci",
        {
            "family": "admin-portal",
            "cpu": "512",
            "memory": "1024",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": ctx.td_arn("admin-portal", ctx.portal_rev + 1),
                "family": "admin-portal",
                "revision": ctx.portal_rev + 1,
                "status": "ACTIVE",
            }
        },
    )
    ctx.trail(
        portal_t + timedelta(seconds=28),
        "ecs.amazonaws.com",
        "UpdateService",
        "ci",
        {
            "cluster": ctx.cluster,
            "service": "admin-portal",
            "taskDefinition": f"admin-portal:{ctx.portal_rev + 1}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "admin-portal",
                "taskDefinition": ctx.td_arn("admin-portal", ctx.portal_rev + 1),
                "desiredCount": 2,
                "status": "ACTIVE",
            }
        },
    )
    ctx.task_start_trail(portal_t + timedelta(seconds=75), "admin-portal")
    pi_t = run_t - timedelta(minutes=rng.randint(25, 50))
    ctx.trail(
        pi_t,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        "sso-priya",
        {
            "dBInstanceIdentifier": ctx.db_reader,
            "performanceInsightsRetentionPeriod": 31,
            "applyImmediately": True,
        },
        {
            "dBInstanceIdentifier": ctx.db_reader,
            "dBInstanceClass": "db.r6g.large",
            "engine": "aurora-postgresql",
            "dBInstanceStatus": "available",
            "performanceInsightsEnabled": True,
            "performanceInsightsRetentionPeriod": 31,
        },
    )
    ctx.trail(
        run_t - timedelta(minutes=rng.randint(60, 90)),
        "secretsmanager.amazonaws.com",
        "DescribeSecret",
        "sso-tom",
        {"secretId": "booking-db/app"},
        None,
        read_only=True,
    )
    ctx.tooling_noise()
    for who in ("sso-tom",):
        ctx.trail(
            fire + timedelta(minutes=rng.randint(3, 8)),
            "rds.amazonaws.com",
            "DescribeDBInstances",
            who,
            {"dBInstanceIdentifier": ctx.db_reader},
            None,
            read_only=True,
        )
        ctx.trail(
            fire + timedelta(minutes=rng.randint(3, 8)),
            "pi.amazonaws.com",
            "DescribeDimensionKeys",
            who,
            {
                "serviceType": "RDS",
                "identifier": "db-" + hexid(rng, 26).upper(),
                "metric": "db.load.avg",
                "groupBy": {"group": "db.sql_tokenized"},
            },
            None,
            read_only=True,
        )

    # --- telemetry
    peak = rng.uniform(86, 93)
    for t in ctx.minutes():
        load = ctx.load(t)
        busy = busy_from <= t <= busy_to
        t5 = (rng.random() < 0.1) * rng.randint(1, 3)
        lat = rng.uniform(0.085, 0.11)
        ctx.alb_metrics(t, load, t5, 0, lat, lat * rng.uniform(6, 12), 3)
        ctx.ecs_metrics(
            t, "booking-api", 8 + load / 540 * 28 * rng.uniform(0.9, 1.1), 40 + rng.uniform(-2, 2)
        )
        ctx.ecs_metrics(t, "admin-portal", 4 + rng.uniform(0, 3), 52 + rng.uniform(-1, 1))
        ctx.rds_metrics(
            t,
            ctx.db_writer,
            9 + load / 540 * 21 * rng.uniform(0.9, 1.1) + (3 if busy else 0),
            30 + rng.randint(-1, 1) + (2 if busy else 0),
        )
        rcpu = peak * rng.uniform(0.96, 1.03) if busy else 4 + load / 540 * 5 * rng.uniform(0.9, 1.1)
        if t == busy_from:
            rcpu = rcpu * 0.7
        ctx.rds_metrics(
            t,
            ctx.db_reader,
            min(99.0, rcpu),
            (16 if busy else 12) + rng.randint(-1, 1),
            {
                "ReadIOPS": (rng.uniform(2600, 3400) if busy else rng.uniform(40, 120)),
                "ReadLatency": (rng.uniform(0.0012, 0.002) if busy else rng.uniform(0.0004, 0.0008)),
            },
        )
        api_log_minute(ctx, t, ctx.api_tasks, None, per_task=2)

    # reader's postgres log: the slow-statement lines from the reminder query (log_min_duration_statement=1000)
    lines = []
    t = busy_from + timedelta(seconds=20)
    while t < busy_to:
        dur_ms = rng.uniform(1100, 4800)
        prefix = f"{t:%Y-%m-%d %H:%M:%S} UTC:10.40.{rng.choice([16, 32])}.{rng.randint(5, 250)}({rng.randint(30000, 60000)}):reminders@booking:[{rng.randint(20000, 40000)}]:"
        lines.append(
            f"{prefix}LOG:  duration: {dur_ms:.3f} ms  execute <unnamed>: SELECT a.id, a.starts_at, a.clinic_id, p.email, p.preferred_name, c.display_name FROM appointments a JOIN patients p ON p.id = a.patient_id JOIN clinics c ON c.id = a.clinic_id WHERE a.starts_at >= $1 AND a.starts_at < $2 AND a.status = 'confirmed' AND NOT p.reminders_opt_out ORDER BY a.clinic_id, a.starts_at LIMIT 500 OFFSET $3"
        )
        lines.append(
            f"{prefix}DETAIL:  parameters: $1 = '{tomorrow} 00:00:00+00', $2 = '{tomorrow} 23:59:59+00', $3 = '{rng.randint(0, count // 500) * 500}'"
        )
        t += timedelta(seconds=rng.randint(20, 70))
    ctx.resources.append(
        {
            "service": "rds",
            "type": "DBLogFile",
            "item": {
                "DBInstanceIdentifier": ctx.db_reader,
                "LogFileName": f"error/postgresql.log.{run_t:%Y-%m-%d-%H}00",
                "LastWritten": int(busy_to.timestamp() * 1000),
                "Size": sum(len(x) + 1 for x in lines),
                "Data": "\n".join(lines) + "\n",
            },
        }
    )

    # --- alarms: the reader CPU alarm, which has fired on every recent weekday evening
    reason = f"Threshold Crossed: 3 out of the last 3 datapoints [{peak:.1f} ({fire - timedelta(minutes=5):%d/%m/%y %H:%M:%S}), {peak - 1.3:.1f} ({fire - timedelta(minutes=10):%d/%m/%y %H:%M:%S}), {peak * 0.92:.1f} ({fire - timedelta(minutes=15):%d/%m/%y %H:%M:%S})] were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition)."
    ok_reason = f"Threshold Crossed: 1 out of the last 3 datapoints [6.4 ({clear - timedelta(minutes=5):%d/%m/%y %H:%M:%S})] was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition)."
    ar = ctx.alarm(
        "booking-db-reader-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_reader},
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        "OK",
        clear,
        ok_reason,
        description="Aurora reader CPU > 80% for 15 minutes",
    )
    d = day
    back = 0
    while back < 6:
        d -= timedelta(days=1)
        if d.weekday() >= 5:
            continue
        back += 1
        f = d.replace(hour=18, minute=20 + rng.randint(0, 5), second=rng.randint(0, 59))
        ctx.transition(
            ar["AlarmName"],
            f,
            "OK",
            "ALARM",
            "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition).",
        )
        ctx.transition(
            ar["AlarmName"],
            f + timedelta(minutes=rng.randint(8, 14)),
            "ALARM",
            "OK",
            "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
        )
    ctx.transition(ar["AlarmName"], fire, "OK", "ALARM", reason)
    ctx.transition(ar["AlarmName"], clear, "ALARM", "OK", ok_reason)
    ctx.alarm(
        "booking-db-writer-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_writer},
        "Average",
        300,
        3,
        80,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=9),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    ctx.alarm(
        "booking-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": ctx.alb_dim},
        "Sum",
        60,
        3,
        20,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=6),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (20.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    ctx.alarm(
        "ses-bounce-rate-high",
        "AWS/SES",
        "Reputation.BounceRate",
        {},
        "Average",
        3600,
        1,
        0.04,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=15),
        "Threshold Crossed: 1 datapoint was not greater than the threshold (0.04).",
    )

    question = (
        f"Got paged for booking-db reader CPU at {fire:%H:%M}. It's gone back to OK but I want to know if something is "
        "hammering the database before I hand over for the night. Should we be scaling the reader up?"
    )
    truth: Rec = {"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []}
    return ctx.bundle(TITLE, {"question": question, "alarm_event": None, "timezone": "Europe/London"}, truth)
