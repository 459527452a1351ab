"""Booking confirmations fail after a booking-api release whose DB_HOST points at Aurora's reader endpoint."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzp import (
    Clinic,
    api_log_minute,
    hexid,
    iso,
    pick_day,
    reminder_run,
    uid,
)

NAME = "clinic-booking-confirm-fails-slots-load"
TITLE = "Patients can see free slots but confirming a booking fails since early afternoon"
SUMMARY = (
    "A booking-api release moved DB_HOST to the Aurora cluster's reader endpoint; every write "
    "(new bookings, reschedules) fails with a read-only transaction error while reads stay healthy."
)


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = pick_day(rng)
    onset = day.replace(hour=13, minute=50) + timedelta(minutes=rng.randint(0, 40))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 20))
    now = onset + timedelta(minutes=rng.randint(42, 60))
    ctx = Clinic(rng, start, now)
    old, new = ctx.api_rev, ctx.api_rev + 1
    new_tag = hexid(rng, 7)

    # --- the release: a new revision registered, then the service updated to it
    reg_t = onset - timedelta(minutes=3, seconds=rng.randint(10, 50))
    upd_t = reg_t + timedelta(seconds=rng.randint(20, 50))
    new_env = ctx.api_env(ctx.db_ro_endpoint)
    new_env.insert(2, ("DB_READ_HOST", ctx.db_ro_endpoint))
    td_old = ctx.task_definition(
        "booking-api",
        old,
        start - timedelta(days=rng.randint(2, 9)),
        ctx.api_env(ctx.db_endpoint),
        ctx.image_tag,
    )
    td_new = ctx.task_definition("booking-api", new, reg_t, new_env, new_tag)
    td_req = {
        k: v
        for k, v in td_new.items()
        if k
        in (
            "family",
            "taskRoleArn",
            "executionRoleArn",
            "networkMode",
            "requiresCompatibilities",
            "cpu",
            "memory",
            "containerDefinitions",
        )
    }
    ctx.trail(
        reg_t,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        "ci",
        td_req,
        {"taskDefinition": {**td_new, "registeredAt": iso(reg_t)}},
    )
    culprit = uid(rng)
    dep_new = ctx.deployment("booking-api", new, 3, upd_t, upd_t + timedelta(minutes=6))
    ctx.trail(
        upd_t,
        "ecs.amazonaws.com",
        "UpdateService",
        "ci",
        {
            "cluster": ctx.cluster,
            "service": "booking-api",
            "taskDefinition": f"booking-api:{new}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceName": "booking-api",
                "serviceArn": ctx.svc_arn("booking-api"),
                "taskDefinition": ctx.td_arn("booking-api", new),
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
        event_id=culprit,
    )
    svc = ctx.ecs_service("booking-api", new, 3, [dep_new], start - timedelta(days=400), lb=True)
    ctx.base_resources([td_old, td_new], svc)

    old_tasks = ctx.api_tasks
    new_tasks = [hexid(rng, 32) for _ in range(3)]
    swap = upd_t + timedelta(minutes=2, seconds=rng.randint(0, 40))
    drained = swap + timedelta(minutes=4)
    for _tk in new_tasks:
        ctx.task_start_trail(upd_t + timedelta(seconds=rng.randint(30, 70)), "booking-api")
    svc_arn = ctx.svc_arn("booking-api")
    for dt, msg in (
        (
            upd_t + timedelta(seconds=35),
            f"(service booking-api) has started 3 tasks: {' '.join(f'(task {x})' for x in new_tasks)}.",
        ),
        (swap, f"(service booking-api) registered 3 targets in (target-group {ctx.tg_arn})"),
        (swap + timedelta(seconds=40), "(service booking-api) has begun draining connections on 3 tasks."),
        (
            swap + timedelta(seconds=41),
            f"(service booking-api) deregistered 3 targets in (target-group {ctx.tg_arn})",
        ),
        (
            drained,
            f"(service booking-api) has stopped 3 running tasks: {' '.join(f'(task {x})' for x in old_tasks)}.",
        ),
        (
            drained + timedelta(minutes=1),
            f"(service booking-api) (deployment {dep_new['id']}) deployment completed.",
        ),
        (drained + timedelta(minutes=1, seconds=2), "(service booking-api) has reached a steady state."),
        (start + timedelta(minutes=37), "(service booking-api) has reached a steady state."),
    ):
        ctx.events.append(
            {
                "source": "ecs",
                "item": {
                    "service_arn": svc_arn,
                    "event": {"id": uid(rng), "createdAt": iso(dt), "message": msg},
                },
            }
        )

    # --- innocent changes and routine work
    portal_t = start + timedelta(hours=1, minutes=rng.randint(10, 50))
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
        portal_t + timedelta(seconds=31),
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
    ctx.task_start_trail(portal_t + timedelta(seconds=80), "admin-portal")
    pg_t = onset - timedelta(minutes=rng.randint(18, 34))
    ctx.trail(
        pg_t,
        "rds.amazonaws.com",
        "ModifyDBClusterParameterGroup",
        "sso-tom",
        {
            "dBClusterParameterGroupName": "booking-aurora-pg15",
            "parameters": [
                {
                    "parameterName": "log_min_duration_statement",
                    "parameterValue": "500",
                    "applyMethod": "immediate",
                }
            ],
        },
        {"dBClusterParameterGroupName": "booking-aurora-pg15"},
    )
    ctx.trail(
        pg_t - timedelta(minutes=2),
        "rds.amazonaws.com",
        "DescribeDBClusterParameters",
        "sso-tom",
        {"dBClusterParameterGroupName": "booking-aurora-pg15", "source": "user"},
        None,
        read_only=True,
    )
    alarm_t = start + timedelta(minutes=rng.randint(20, 60))
    ctx.trail(
        alarm_t,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        "sso-priya",
        {
            "alarmName": "admin-portal-memory-high",
            "metricName": "MemoryUtilization",
            "namespace": "AWS/ECS",
            "statistic": "Average",
            "period": 300,
            "evaluationPeriods": 2,
            "threshold": 85.0,
            "comparisonOperator": "GreaterThanThreshold",
        },
        None,
    )
    noon = day.replace(hour=12, minute=0, second=rng.randint(0, 20))
    if start < noon < now:
        reminder_run(ctx, noon, (day + timedelta(days=1)).strftime("%Y-%m-%d"), rng.randint(1800, 2900))
    ctx.tooling_noise()
    for who in ("sso-priya", "sso-tom"):
        t = onset + timedelta(minutes=rng.randint(14, 30))
        ctx.trail(
            t,
            "ecs.amazonaws.com",
            "DescribeServices",
            who,
            {"cluster": ctx.cluster, "services": ["booking-api"]},
            None,
            read_only=True,
        )

    # --- telemetry, minute by minute
    flap1 = start + timedelta(minutes=rng.randint(50, 90))
    for t in ctx.minutes():
        load = ctx.load(t)
        broken = t >= swap
        frac_new = 0.0 if t < swap else min(1.0, (t - swap).total_seconds() / 60 / 1.0)
        write_share = rng.uniform(0.12, 0.14)
        t5 = (
            load * write_share * frac_new * rng.uniform(0.96, 1.0)
            if broken
            else (rng.random() < 0.08) * rng.randint(1, 2)
        )
        lat = rng.uniform(0.085, 0.11)
        ctx.alb_metrics(t, load, t5, 0, lat, lat * rng.uniform(6, 12), 3 if not (swap <= t < drained) else 6)
        api_cpu = 8 + load / 540 * 30 * rng.uniform(0.9, 1.1)
        ctx.ecs_metrics(
            t, "booking-api", api_cpu, 41 + rng.uniform(-2, 2) if t < swap else 33 + rng.uniform(-2, 2)
        )
        portal_mem = 52 + rng.uniform(-1, 1)
        if flap1 - timedelta(minutes=10) <= t < flap1 + timedelta(minutes=8):
            portal_mem = 86.5 + rng.uniform(0, 3)
        ctx.ecs_metrics(t, "admin-portal", 4 + rng.uniform(0, 3), portal_mem)
        wconn = 30 + (3 if swap <= t < drained else 0) + rng.randint(-1, 1)
        rconn = 12 + rng.randint(-1, 1)
        wcpu = 9 + load / 540 * 21 * rng.uniform(0.9, 1.1)
        rcpu = 5 + load / 540 * 6 * rng.uniform(0.9, 1.1)
        if t >= drained:
            wconn, rconn = 6 + rng.randint(-1, 1), 36 + rng.randint(-1, 2)
            wcpu, rcpu = 6 + rng.uniform(0, 2), 5 + load / 540 * 24 * rng.uniform(0.9, 1.1)
        ctx.rds_metrics(t, ctx.db_writer, wcpu, wconn)
        ctx.rds_metrics(t, ctx.db_reader, rcpu, rconn)
        tasks = old_tasks if t < swap + timedelta(seconds=40) else new_tasks
        if swap <= t < swap + timedelta(seconds=40):
            tasks = old_tasks + new_tasks

        def status(method: str, path: str, at: datetime, tasks_now: list[str] = tasks) -> int | None:
            if tasks_now is new_tasks and method in ("POST", "PATCH") and path != "/v1/auth/login":
                return 500
            return None

        for at, task, method, path, _st in api_log_minute(
            ctx, t, tasks, status, per_task=2 if t < onset - timedelta(minutes=30) else 3
        ):
            rid = uid(rng)
            stream = f"ecs/booking-api/{task}"
            verb = "INSERT" if method == "POST" else "UPDATE"
            stamp = f"{at:%Y-%m-%d %H:%M:%S},{int(at.microsecond / 1000):03d}"
            fn = "create_appointment" if method == "POST" else "reschedule_appointment"
            lines = [
                f"{stamp} ERROR [booking.api.errors] unhandled exception on {method} {path.split('?')[0]} request_id={rid}",
                "Traceback (most recent call last):",
                '  File "/app/booking/api/appointments.py", line 214, in ' + fn,
                "    await repo.hold_and_confirm(slot_id, patient_id)"
                if method == "POST"
                else "    await repo.move(appointment_id, new_slot_id)",
                '  File "/app/booking/db/appointments.py", line 88, in execute',
                "    await cur.execute(sql, params)",
                '  File "/usr/local/lib/python3.12/site-packages/psycopg/cursor_async.py", line 97, in execute',
                "    raise ex.with_traceback(None)",
                f"psycopg.errors.ReadOnlySqlTransaction: cannot execute {verb} in a read-only transaction",
            ]
            for i, line in enumerate(lines):
                ctx.log("/ecs/booking-api", stream, at + timedelta(milliseconds=2 + i), line)
        if t.minute % 5 == 0:
            n = 1 if t < swap else 0
            for _ in range(n):
                at = t + timedelta(seconds=rng.randint(0, 59))
                ctx.log(
                    "/ecs/booking-api",
                    f"ecs/booking-api/{rng.choice(tasks)}",
                    at,
                    f"{at:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} WARNING [booking.slots] slot hold expired before confirm hold_id={rng.randint(10**6, 10**7)}",
                )
    for at_task in new_tasks:
        at = swap - timedelta(seconds=rng.randint(20, 50))
        s = f"ecs/booking-api/{at_task}"
        ctx.log("/ecs/booking-api", s, at, "INFO:     Started server process [1]")
        ctx.log("/ecs/booking-api", s, at, "INFO:     Waiting for application startup.")
        ctx.log(
            "/ecs/booking-api",
            s,
            at + timedelta(milliseconds=900),
            f"{at:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} INFO [booking.db] pool ready min=2 max=10 host={ctx.db_ro_endpoint} db=booking",
        )
        ctx.log("/ecs/booking-api", s, at + timedelta(seconds=1), "INFO:     Application startup complete.")
        ctx.log(
            "/ecs/booking-api",
            s,
            at + timedelta(seconds=1),
            "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
        )

    # Aurora's own log on the reader: errors are logged by default
    errs = []
    t = swap + timedelta(seconds=30)
    while t < now:
        verb = rng.choice(["INSERT", "INSERT", "UPDATE"])
        stmt = (
            "INSERT INTO appointments (clinic_id, slot_id, patient_id, status, created_at) VALUES ($1, $2, $3, 'confirmed', now()) RETURNING id"
            if verb == "INSERT"
            else "UPDATE appointments SET slot_id = $1, updated_at = now() WHERE id = $2 AND patient_id = $3"
        )
        pid = rng.randint(20000, 40000)
        prefix = f"{t:%Y-%m-%d %H:%M:%S} UTC:10.40.{rng.choice([16, 32, 48])}.{rng.randint(5, 250)}({rng.randint(30000, 60000)}):booking_app@booking:[{pid}]:"
        errs.append(f"{prefix}ERROR:  cannot execute {verb} in a read-only transaction")
        errs.append(f"{prefix}STATEMENT:  {stmt}")
        t += timedelta(seconds=rng.randint(4, 25))
    log_name = f"error/postgresql.log.{now:%Y-%m-%d-%H}00"
    ctx.resources.append(
        {
            "service": "rds",
            "type": "DBLogFile",
            "item": {
                "DBInstanceIdentifier": ctx.db_reader,
                "LogFileName": log_name,
                "LastWritten": int(now.timestamp() * 1000),
                "Size": sum(len(x) + 1 for x in errs),
                "Data": "\n".join(errs) + "\n",
            },
        }
    )
    ctx.resources.append(
        {
            "service": "rds",
            "type": "DBLogFile",
            "item": {
                "DBInstanceIdentifier": ctx.db_writer,
                "LogFileName": log_name,
                "LastWritten": int(now.timestamp() * 1000),
                "Size": 0,
                "Data": "",
            },
        }
    )

    # --- alarms
    fire, pts = ctx.breach_5xx(20.0, swap - timedelta(minutes=5))
    a5 = ctx.alarm(
        "booking-api-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": ctx.alb_dim},
        "Sum",
        60,
        3,
        20,
        "GreaterThanThreshold",
        "ALARM",
        fire,
        ctx.breach_reason(pts, 20.0),
        description="booking-api returning 5xx through the public ALB. Runbook: https://wiki.clinicbook.co.uk/runbooks/booking-api",
    )
    ctx.transition(a5["AlarmName"], fire, "OK", "ALARM", a5["StateReason"])
    ctx.alarm(
        "booking-api-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": ctx.alb_dim},
        "Average",
        300,
        2,
        1.5,
        "GreaterThanThreshold",
        "OK",
        start - timedelta(days=3),
        "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (1.5) (minimum 1 datapoint for ALARM -> OK transition).",
    )
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
        start - timedelta(days=1, hours=5),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    ctx.alarm(
        "admin-portal-memory-high",
        "AWS/ECS",
        "MemoryUtilization",
        {"ClusterName": ctx.cluster, "ServiceName": "admin-portal"},
        "Average",
        300,
        2,
        85,
        "GreaterThanThreshold",
        "OK",
        flap1 + timedelta(minutes=15),
        "Threshold Crossed: 1 out of the last 2 datapoints was not greater than the threshold (85.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    ctx.transition(
        "admin-portal-memory-high",
        flap1,
        "OK",
        "ALARM",
        "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (85.0).",
    )
    ctx.transition(
        "admin-portal-memory-high",
        flap1 + timedelta(minutes=15),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 2 datapoints was not greater than the threshold (85.0).",
    )

    question = (
        f"Reception at two of our clinics say patients can see free slots in the app but get 'Something went wrong' "
        f"when they hit Confirm. Started around {onset:%H:%M} I think. Is the booking system down?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": ctx.td_arn("booking-api", new),
            "category": "change",
            "failure_mode": "db-writes-sent-to-reader-endpoint",
            "event_id": culprit,
        },
        "also_accept": [f"booking-api:{new}", "booking-api", ctx.svc_arn("booking-api")],
        "actions": ["rollback"],
        "chain": [ctx.td_arn("booking-api", new), "booking-api", ctx.db_reader, ctx.alb_name],
    }
    return ctx.bundle(TITLE, {"question": question, "alarm_event": None, "timezone": "Europe/London"}, truth)
