"""Patients can't sign in after a flu-jab campaign email: Cognito's UserAuthentication request rate quota."""

from __future__ import annotations

import random
from datetime import timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzp import (
    Clinic,
    access_line,
    api_log_minute,
    hexid,
    iso,
    pick_day,
    uid,
)

NAME = "clinic-patients-cant-sign-in-morning"
TITLE = "Patients failing to log in to the booking site this morning, some get in after retrying"
SUMMARY = (
    "A flu-jab campaign email sent to every patient drove sign-ins past Cognito's UserAuthentication "
    "requests-per-second quota; booking-api's AdminInitiateAuth calls were throttled and surfaced as 500s."
)

QUOTA_PER_MIN = 120 * 60


def build(seed: int) -> Bundle:
    rng = random.Random(seed)
    day = pick_day(rng)
    send = day.replace(hour=8, minute=25) + timedelta(minutes=rng.randint(0, 20), seconds=rng.randint(0, 50))
    onset = send + timedelta(minutes=rng.randint(6, 9))
    start = onset - timedelta(hours=4, minutes=rng.randint(0, 15))
    now = onset + timedelta(minutes=rng.randint(40, 55))
    ctx = Clinic(rng, start, now)
    rev = ctx.api_rev
    td = ctx.task_definition(
        "booking-api",
        rev,
        start - timedelta(days=rng.randint(1, 6)),
        ctx.api_env(ctx.db_endpoint),
        ctx.image_tag,
    )
    dep = ctx.deployment("booking-api", rev, 3, start - timedelta(days=2), start - timedelta(days=2))
    recipients = rng.randint(52000, 78000)
    peak = rng.uniform(10500, 14500)

    # booking-api scales out on CPU once the surge lands (3 -> 6)
    scale_t = onset + timedelta(minutes=rng.randint(5, 8))
    extra = [hexid(rng, 32) for _ in range(3)]
    svc = ctx.ecs_service(
        "booking-api",
        rev,
        6,
        [{**dep, "desiredCount": 6, "runningCount": 6}],
        start - timedelta(days=400),
        lb=True,
    )
    ctx.base_resources([td], svc)
    ctx.resources.append(
        {
            "service": "application-autoscaling",
            "type": "ScalableTarget",
            "item": {
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{ctx.cluster}/booking-api",
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": 3,
                "MaxCapacity": 12,
                "RoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
                "CreationTime": iso(start - timedelta(days=300)),
            },
        }
    )
    pol_name = "booking-api-cpu-target-60"
    ctx.resources.append(
        {
            "service": "application-autoscaling",
            "type": "ScalingPolicy",
            "item": {
                "PolicyARN": f"arn:aws:autoscaling:eu-west-2:{ctx.account}:scalingPolicy:{uid(rng)}:resource/ecs/service/{ctx.cluster}/booking-api:policyName/{pol_name}",
                "PolicyName": pol_name,
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{ctx.cluster}/booking-api",
                "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 60.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                    },
                    "ScaleOutCooldown": 60,
                    "ScaleInCooldown": 300,
                },
                "Alarms": [],
                "CreationTime": iso(start - timedelta(days=300)),
            },
        }
    )
    ctx.events.append(
        {
            "source": "application_autoscaling",
            "item": {
                "ActivityId": uid(rng),
                "ServiceNamespace": "ecs",
                "ResourceId": f"service/{ctx.cluster}/booking-api",
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": "Setting desired count to 6.",
                "Cause": f"monitor alarm TargetTracking-service/{ctx.cluster}/booking-api-AlarmHigh-{uid(rng)} in state ALARM triggered policy {pol_name}",
                "StartTime": iso(scale_t),
                "EndTime": iso(scale_t + timedelta(minutes=2)),
                "StatusCode": "Successful",
                "StatusMessage": "Successfully set desired count to 6. Change successfully fulfilled by ecs.",
            },
        }
    )
    svc_arn = ctx.svc_arn("booking-api")
    for dt, msg in (
        (
            scale_t + timedelta(seconds=20),
            f"(service booking-api) has started 3 tasks: {' '.join(f'(task {x})' for x in extra)}.",
        ),
        (
            scale_t + timedelta(minutes=1, seconds=40),
            f"(service booking-api) registered 3 targets in (target-group {ctx.tg_arn})",
        ),
        (scale_t + timedelta(minutes=3), "(service booking-api) has reached a steady state."),
        (start + timedelta(minutes=rng.randint(20, 60)), "(service booking-api) has reached a steady state."),
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
    for _ in extra:
        ctx.task_start_trail(scale_t + timedelta(seconds=rng.randint(25, 60)), "booking-api")
    ctx.trail(
        scale_t,
        "ecs.amazonaws.com",
        "UpdateService",
        "sched",
        {"cluster": ctx.cluster, "service": "booking-api", "desiredCount": 6},
        {
            "service": {
                "serviceName": "booking-api",
                "serviceArn": svc_arn,
                "desiredCount": 6,
                "status": "ACTIVE",
            }
        },
    )
    rec = ctx.cloudtrail[-1]
    rec["userIdentity"] = {
        "type": "AssumedRole",
        "principalId": "AROA" + "V2B3N4M5Q6W7E8R9T:AutoScaling-ECSService",
        "arn": f"arn:aws:sts::{ctx.account}:assumed-role/AWSServiceRoleForApplicationAutoScaling_ECSService/AutoScaling-ECSService",
        "accountId": ctx.account,
        "invokedBy": "ecs.application-autoscaling.amazonaws.com",
    }
    rec["sourceIPAddress"] = rec["userAgent"] = "ecs.application-autoscaling.amazonaws.com"

    # --- innocent changes: pre-scaling for the campaign, a Cognito email template tweak, the campaign run
    pre_t = send - timedelta(minutes=rng.randint(35, 70))
    ctx.trail(
        pre_t,
        "application-autoscaling.amazonaws.com",
        "RegisterScalableTarget",
        "sso-priya",
        {
            "serviceNamespace": "ecs",
            "resourceId": f"service/{ctx.cluster}/booking-api",
            "scalableDimension": "ecs:service:DesiredCount",
            "minCapacity": 3,
            "maxCapacity": 12,
        },
        {"scalableTargetARN": ctx.arn("application-autoscaling", f"scalable-target/{hexid(rng, 36)}")},
    )
    ctx.trail(
        pre_t - timedelta(minutes=2),
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        "sso-priya",
        {"serviceNamespace": "ecs"},
        None,
        read_only=True,
    )
    ctx.trail(
        send - timedelta(minutes=rng.randint(80, 140)),
        "cognito-idp.amazonaws.com",
        "UpdateUserPool",
        "sso-tom",
        {
            "userPoolId": ctx.pool_id,
            "emailVerificationSubject": "Your ClinicBook verification code",
            "autoVerifiedAttributes": ["email"],
            "mfaConfiguration": "OPTIONAL",
        },
        None,
    )
    ctx.trail(
        send - timedelta(minutes=rng.randint(140, 160)),
        "cognito-idp.amazonaws.com",
        "DescribeUserPool",
        "sso-tom",
        {"userPoolId": ctx.pool_id},
        None,
        read_only=True,
    )
    camp_task = hexid(rng, 32)
    ctx.trail(
        send - timedelta(seconds=50),
        "ecs.amazonaws.com",
        "RunTask",
        "sched",
        {
            "cluster": ctx.cluster_arn,
            "count": 1,
            "launchType": "FARGATE",
            "taskDefinition": ctx.td_arn("reminder-dispatch", ctx.reminder_rev),
            "overrides": {
                "containerOverrides": [
                    {
                        "name": "reminder-dispatch",
                        "command": ["python", "-m", "reminders.campaign", "--campaign", "flu-2025"],
                    }
                ]
            },
            "startedBy": "chronos-scheduler",
        },
        {
            "tasks": [
                {
                    "taskArn": ctx.arn("ecs", f"task/{ctx.cluster}/{camp_task}"),
                    "taskDefinitionArn": ctx.td_arn("reminder-dispatch", ctx.reminder_rev),
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                    "launchType": "FARGATE",
                }
            ],
            "failures": [],
        },
    )
    ctx.task_start_trail(send - timedelta(seconds=10), "reminder-dispatch")
    cstream = f"ecs/reminder-dispatch/{camp_task}"
    ctx.log(
        "/ecs/reminder-dispatch",
        cstream,
        send,
        f"{send:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} INFO [campaign] starting campaign=flu-2025 audience=all-active-patients template=flu-jab-booking-open",
    )
    ctx.log(
        "/ecs/reminder-dispatch",
        cstream,
        send + timedelta(seconds=4),
        f"{send:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} INFO [campaign] {recipients} recipients after suppression list",
    )
    sent = 0
    minutes = 12
    for m in range(minutes):
        at = (send + timedelta(minutes=m)).replace(second=0)
        n = recipients // minutes if m < minutes - 1 else recipients - sent
        sent += n
        ctx.metric("AWS/SES", "Send", {}, at, "Count", n)
        ctx.metric("AWS/SES", "Delivery", {}, at, "Count", n - rng.randint(20, 60))
        ctx.metric("AWS/SES", "Bounce", {}, at, "Count", rng.randint(15, 50))
        ctx.log(
            "/ecs/reminder-dispatch",
            cstream,
            at + timedelta(seconds=30),
            f"{at:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} INFO [campaign] progress sent={sent}/{recipients}",
        )
    endc = send + timedelta(minutes=minutes, seconds=15)
    ctx.log(
        "/ecs/reminder-dispatch",
        cstream,
        endc,
        f"{endc:%Y-%m-%d %H:%M:%S},{rng.randint(0, 999):03d} INFO [campaign] done campaign=flu-2025 sent={recipients} failed=0",
    )
    ctx.tooling_noise()
    for who in ("sso-tom", "sso-priya"):
        t = onset + timedelta(minutes=rng.randint(15, 35))
        ctx.trail(
            t,
            "cognito-idp.amazonaws.com",
            "DescribeUserPool",
            who,
            {"userPoolId": ctx.pool_id},
            None,
            read_only=True,
        )

    # --- telemetry
    pool = {"UserPool": ctx.pool_id, "UserPoolClient": ctx.pool_client}
    usage = {
        "Service": "Cognito User Pools",
        "Type": "API",
        "Resource": "UserAuthentication",
        "Class": "None",
    }
    tasks = list(ctx.api_tasks)
    first_5xx = None
    for t in ctx.minutes():
        base = ctx.load(t)
        since = (t - onset).total_seconds() / 60
        surge = 0.0
        if since >= 0:
            surge = peak * min(1.0, (since + 1) / 8) * (0.55 + 0.45 * 2.718 ** (-max(0.0, since - 8) / 25))
        attempts = base * 0.05 + surge * rng.uniform(0.95, 1.05)
        refresh = base * 0.07
        total_auth = attempts + refresh
        ok_share = min(1.0, (QUOTA_PER_MIN * rng.uniform(0.985, 1.0)) / total_auth) if total_auth > 0 else 1.0
        ok = attempts * ok_share
        throttled = attempts - ok
        rthr = refresh * (1 - ok_share)
        ctx.metric(
            "AWS/Cognito", "SignInSuccesses", pool, t, "Count", stats=(round(attempts), round(ok), 0, 1)
        )
        ctx.metric(
            "AWS/Cognito",
            "TokenRefreshSuccesses",
            pool,
            t,
            "Count",
            stats=(round(refresh), round(refresh - rthr), 0, 1),
        )
        if round(throttled):
            ctx.metric("AWS/Cognito", "SignInThrottles", pool, t, "Count", round(throttled))
            ctx.metric("AWS/Usage", "ThrottleCount", usage, t, "None", round(throttled + rthr))
        if round(rthr):
            ctx.metric("AWS/Cognito", "TokenRefreshThrottles", pool, t, "Count", round(rthr))
        ctx.metric("AWS/Usage", "CallCount", usage, t, "None", round(total_auth))
        browse = base + surge * 2.4
        reqs = browse + attempts
        t5 = throttled * rng.uniform(0.97, 1.0) + (rng.random() < 0.08)
        if t5 >= 20 and first_5xx is None:
            first_5xx = t
        ntasks = 3 if t < scale_t + timedelta(minutes=2) else 6
        cpu = min(97.0, 10 + reqs / ntasks * 0.0067 * rng.uniform(0.9, 1.1))
        lat = rng.uniform(0.08, 0.1) + (0.12 if ntasks == 3 and surge > 0 else 0.02 if surge > 0 else 0)
        ctx.alb_metrics(t, reqs, t5, 0, lat, lat * rng.uniform(8, 15), ntasks)
        ctx.ecs_metrics(t, "booking-api", cpu, 40 + rng.uniform(-2, 2))
        ctx.ecs_metrics(t, "admin-portal", 4 + rng.uniform(0, 3), 52 + rng.uniform(-1, 1))
        load_db = min(reqs / 540, 2.4)
        ctx.rds_metrics(
            t,
            ctx.db_writer,
            min(85.0, 9 + load_db * 21 * rng.uniform(0.9, 1.1)),
            min(60, 30 * ntasks / 3) + rng.randint(-1, 1),
        )
        ctx.rds_metrics(t, ctx.db_reader, 5 + load_db * 4 * rng.uniform(0.9, 1.1), 12 + rng.randint(-1, 1))
        if ntasks == 6 and len(tasks) == 3:
            tasks += extra
        logins = int(min(6, attempts / 900)) if since >= 0 else (1 if rng.random() < 0.4 else 0)
        api_log_minute(ctx, t, tasks, None, per_task=2 if since < 0 else 3)
        for _ in range(logins):
            at = t + timedelta(seconds=rng.uniform(0, 59.9))
            task = rng.choice(tasks)
            stream = f"ecs/booking-api/{task}"
            if rng.random() < throttled / attempts:
                rid = uid(rng)
                stamp = f"{at:%Y-%m-%d %H:%M:%S},{int(at.microsecond / 1000):03d}"
                lines = [
                    f"{stamp} ERROR [booking.api.errors] unhandled exception on POST /v1/auth/login request_id={rid}",
                    "Traceback (most recent call last):",
                    '  File "/app/booking/api/auth.py", line 61, in login',
                    "    resp = await run_sync(cognito.admin_initiate_auth, **params)",
                    '  File "/usr/local/lib/python3.12/site-packages/botocore/client.py", line 1023, in _make_api_call',
                    "    raise error_class(parsed_response, operation_name)",
                    "botocore.errorfactory.TooManyRequestsException: An error occurred (TooManyRequestsException) when calling the AdminInitiateAuth operation: Too many requests",
                ]
                for i, line in enumerate(lines):
                    ctx.log("/ecs/booking-api", stream, at + timedelta(milliseconds=1 + i), line)
                ctx.log(
                    "/ecs/booking-api",
                    stream,
                    at + timedelta(milliseconds=12),
                    access_line(rng, "/v1/auth/login", "POST", 500),
                )
            else:
                ctx.log(
                    "/ecs/booking-api",
                    stream,
                    at,
                    access_line(rng, "/v1/auth/login", "POST", 200 if rng.random() > 0.06 else 401),
                )

    # --- alarms
    assert first_5xx is not None
    fire, pts = ctx.breach_5xx(20.0, onset - timedelta(minutes=5))
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
    cpu_fire = onset + timedelta(minutes=3)
    ctx.alarm(
        "booking-api-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": ctx.cluster, "ServiceName": "booking-api"},
        "Average",
        60,
        3,
        80,
        "GreaterThanThreshold",
        "OK",
        scale_t + timedelta(minutes=6),
        "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
    )
    ctx.transition(
        "booking-api-cpu-high",
        cpu_fire + timedelta(minutes=2),
        "OK",
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints were greater than the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition).",
    )
    ctx.transition(
        "booking-api-cpu-high",
        scale_t + timedelta(minutes=6),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 out of the last 3 datapoints was not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
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
        start - timedelta(days=2),
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
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
        start - timedelta(days=12),
        "Threshold Crossed: 1 datapoint was not greater than the threshold (0.04).",
    )
    reason_data = {
        "version": "1.0",
        "queryDate": iso(fire).replace("Z", ".312+0000"),
        "startDate": iso(pts[-1][0]).replace("Z", ".000+0000"),
        "statistic": "Sum",
        "period": 60,
        "recentDatapoints": [v for _, v in reversed(pts)],
        "threshold": 20.0,
        "evaluatedDatapoints": [
            {"timestamp": iso(pt).replace("Z", ".000+0000"), "sampleCount": 1.0, "value": v} for pt, v in pts
        ],
    }
    event = ctx.alarm_event(
        a5,
        fire,
        a5["StateReason"],
        reason_data,
        "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (20.0).",
    )
    question = (
        f"Support inbox is filling up with patients saying they can't log in to book, since about {onset:%H:%M}. "
        "Some say it works after a few tries. Is Cognito down?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": ctx.pool_id,
            "category": "limit",
            "failure_mode": "cognito-user-authentication-rps-quota",
        },
        "also_accept": [ctx.arn("cognito-idp", f"userpool/{ctx.pool_id}"), "clinicbook-patients"],
        "actions": ["scale", "reconfigure"],
        "chain": [ctx.pool_id, "booking-api", ctx.alb_name],
    }
    return ctx.bundle(TITLE, {"question": question, "alarm_event": event, "timezone": "Europe/London"}, truth)
