"""A regional DynamoDB service event (AWS Health: increased error rates and latencies) degrades the
reservations API and a hold-expiry sweeper; nothing in the account changed that explains it."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_d as d
from evals.suites.fresh import _kit_g as g

NAME = "reservations-dynamodb-service-event"
TITLE = "reservations-api 500s and slow responses, hold sweeper failing"
SUMMARY = (
    "An AWS DynamoDB operational issue in the region raised error rates and latencies on the account's "
    "tables; the reservations API returned 500s and the hold-expiry sweeper failed. No change in the account."
)

ZONES = {
    "us-east-1": "America/New_York",
    "us-east-2": "America/Chicago",
    "us-west-2": "America/Los_Angeles",
    "eu-west-1": "Europe/Dublin",
    "eu-central-1": "Europe/Berlin",
    "ap-southeast-2": "Australia/Sydney",
}

SEATTLE = ZoneInfo("America/Los_Angeles")


def _pdt(t: datetime) -> str:
    lt = t.astimezone(SEATTLE)
    return f"{lt:%I:%M %p %Z}".lstrip("0")


def build(seed: int) -> Bundle:
    ctx = d.Ctx(NAME, seed)
    rng = ctx.rng
    tzname = ZONES[ctx.region]
    zone = ZoneInfo(tzname)
    day = ctx.day()
    local_onset = datetime(day.year, day.month, day.day, 14, 0, tzinfo=zone) + timedelta(
        minutes=rng.randrange(0, 150), seconds=rng.randrange(60)
    )
    onset = local_onset.astimezone(ZoneInfo("UTC"))
    onset_m = d.floor_min(onset)
    start = onset_m - timedelta(hours=5, minutes=rng.randrange(0, 50))
    now = onset_m + timedelta(minutes=rng.randrange(44, 58), seconds=rng.randrange(60))
    fine_from = onset_m - timedelta(hours=3)
    points = d.grid(start, now, fine_from)
    old = day - timedelta(days=rng.randrange(250, 800))
    peak = (onset_m.hour + rng.uniform(-2, 1)) % 24

    # --- the service event's shape: per-attempt DynamoDB error rate and latency -----------------
    err_peak = rng.uniform(0.09, 0.2)
    lat_peak = rng.uniform(45.0, 110.0)

    def ddb_err(t: datetime) -> float:
        k = (t - onset_m).total_seconds() / 60
        if k < 0:
            return 0.0
        ramp = min(1.0, (k + 1) / 4)
        wave = 1 + 0.25 * math.sin(k / 6.0)
        return err_peak * ramp * wave * rng.uniform(0.8, 1.2)

    def ddb_lat(t: datetime, base: float) -> float:
        k = (t - onset_m).total_seconds() / 60
        if k < 0:
            return base
        return base + lat_peak * min(1.0, (k + 1) / 4) * rng.uniform(0.75, 1.25)

    # --- resources -------------------------------------------------------------------------------
    net = d.network(ctx)
    topic_arn = ctx.arn("sns", "booking-prod-alerts")
    ctx.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "DisplayName": "booking alerts",
                "Owner": ctx.account,
                "SubscriptionsConfirmed": "3",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    lb, lb_dim = d.alb(ctx, "resv-public", net, old)
    tg, tg_dim = d.target_group(
        ctx,
        "resv-api-tg",
        net,
        str(lb["LoadBalancerArn"]),
        port=8080,
        health_path="/actuator/health/liveness",
    )
    cluster = "booking-prod"
    d.ecs_cluster(ctx, cluster, services=2, tasks=6)
    td_arn = ctx.arn("ecs", f"task-definition/reservations-api:{rng.randrange(120, 260)}")
    td_ps_old = rng.randrange(30, 90)
    td_ps = ctx.arn("ecs", f"task-definition/partner-sync:{td_ps_old + 1}")
    api_deployed = day - timedelta(days=rng.randrange(1, 4), hours=rng.randrange(0, 8))
    image = f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/reservations-api:{ctx.hex(7)}"
    tasks = []
    for i in range(4):
        tasks.append(
            d.ecs_task(
                ctx,
                cluster,
                "reservations-api",
                td_arn,
                net,
                i % 3,
                api_deployed + timedelta(minutes=1, seconds=i * 37),
                cpu="1024",
                memory="2048",
                image=image,
                container="reservations-api",
            )
        )
    svc = g.ecs_service(
        ctx,
        cluster,
        "reservations-api",
        taskdef_arn=td_arn,
        desired=4,
        created=old,
        deployed=api_deployed,
        tg_arn=str(tg["TargetGroupArn"]),
        container="reservations-api",
        port=8080,
        subnets=net.subnets,
        sg=net.sg_app,
        deployment_id=f"ecs-svc/{rng.randrange(10**18, 10**19)}",
    )
    ps_deploy = onset_m - timedelta(minutes=17, seconds=rng.randrange(0, 50))
    ps_svc = g.ecs_service(
        ctx,
        cluster,
        "partner-sync",
        taskdef_arn=td_ps,
        desired=2,
        created=old,
        deployed=ps_deploy,
        tg_arn=None,
        container="partner-sync",
        port=8080,
        subnets=net.subnets,
        sg=net.sg_app,
        deployment_id=f"ecs-svc/{rng.randrange(10**18, 10**19)}",
        completed=ps_deploy + timedelta(minutes=3, seconds=rng.randrange(0, 50)),
    )
    resv = g.dynamodb_table(
        ctx,
        "reservations",
        old,
        pk="reservationId",
        items=rng.randrange(2 * 10**7, 9 * 10**7),
        size=rng.randrange(3 * 10**10, 9 * 10**10),
        gsis=["propertyId"],
        stream=True,
    )
    holds = g.dynamodb_table(
        ctx,
        "inventory-holds",
        old,
        pk="propertyDate",
        sk="holdId",
        items=rng.randrange(10**5, 10**6),
        size=rng.randrange(10**8, 10**9),
    )
    sweeper_role = d.iam_role(ctx, "hold-expiry-sweeper-exec", "lambda.amazonaws.com", old, last_used=onset_m)
    mailer_role = d.iam_role(ctx, "confirmation-mailer-exec", "lambda.amazonaws.com", old, last_used=onset_m)
    d.iam_role(ctx, "reservations-api-task", "ecs-tasks.amazonaws.com", old, last_used=onset_m)
    d.lambda_function(
        ctx,
        "hold-expiry-sweeper",
        role_arn=str(sweeper_role["Arn"]),
        runtime="python3.12",
        handler="sweeper.handler",
        memory=256,
        timeout=60,
        modified=day - timedelta(days=rng.randrange(10, 60)),
        env={"HOLDS_TABLE": "inventory-holds", "RESERVATIONS_TABLE": "reservations"},
        description="Releases expired inventory holds (every minute)",
    )
    d.lambda_function(
        ctx,
        "confirmation-mailer",
        role_arn=str(mailer_role["Arn"]),
        runtime="nodejs20.x",
        handler="index.handler",
        memory=512,
        timeout=30,
        modified=day - timedelta(days=rng.randrange(5, 40)),
        env={"FROM_ADDRESS": "bookings@staylark.com"},
        description="Sends booking confirmation emails via SES",
    )
    conf_q = g.sqs_queue(ctx, "booking-confirmations", old, visibility=60)
    g.event_source_mapping(
        ctx, ctx.arn("lambda", "function:confirmation-mailer"), str(conf_q["Attributes"]["QueueArn"]), old
    )
    for lg in [
        "/ecs/reservations-api",
        "/ecs/partner-sync",
        "/aws/lambda/hold-expiry-sweeper",
        "/aws/lambda/confirmation-mailer",
    ]:
        d.log_group(ctx, lg, old, retention=30)

    # --- metrics --------------------------------------------------------------------------------
    def rate(t: datetime) -> float:
        return 1900 * d.diurnal(t, peak, 0.4)

    app_fail: dict[datetime, float] = {}

    def target_5xx(t: datetime, step: int, n: int) -> int:
        # the API makes ~3 DynamoDB calls a request; the SDK retries, but failures bunch on the
        # impaired partitions and the 2 s attempt timeout, so a share of requests still fail
        share = min(0.6, ddb_err(t) * rng.uniform(0.35, 0.55))
        app_fail[t] = share
        return ctx.count(n * share) + ctx.count(n * 0.0004)

    def latency(t: datetime) -> float:
        base = 0.048 * rng.uniform(0.93, 1.07)
        e = ddb_err(t)
        return base + (3 * ddb_lat(t, 4.0) / 1000.0 + e * 1.6) if e else base

    d.alb_metrics(
        ctx,
        lb_dim,
        tg_dim,
        points,
        rate,
        target_5xx=target_5xx,
        latency=latency,
        healthy=lambda t: 4,
    )
    sdims = {"ClusterName": cluster, "ServiceName": "reservations-api"}
    pdims = {"ClusterName": cluster, "ServiceName": "partner-sync"}
    for t, _step in points:
        cpu = 22 * d.diurnal(t, peak, 0.4) * rng.uniform(0.9, 1.1)
        ctx.put("AWS/ECS", "CPUUtilization", sdims, t, "Percent", round(cpu, 2))
        mem = 41 + rng.uniform(-1.5, 1.5) + (6 if ddb_err(t) else 0)
        ctx.put("AWS/ECS", "MemoryUtilization", sdims, t, "Percent", round(mem, 2))
        ctx.put("AWS/ECS", "CPUUtilization", pdims, t, "Percent", round(rng.uniform(3, 9), 2))
        ctx.put("AWS/ECS", "MemoryUtilization", pdims, t, "Percent", round(rng.uniform(27, 33), 2))

    g.dynamodb_metrics(
        ctx,
        "reservations",
        points,
        reads=lambda t: rate(t) * 2.2,
        writes=lambda t: rate(t) * 0.12,
        get_latency=3.1,
        put_latency=5.9,
    )
    g.dynamodb_metrics(
        ctx,
        "inventory-holds",
        points,
        reads=lambda t: rate(t) * 0.9 + 40,
        writes=lambda t: rate(t) * 0.2 + 12,
        get_latency=2.8,
        put_latency=5.2,
    )
    # the service event: latency and SystemErrors on every table and operation (absent when zero)
    for row in ctx.metrics:
        if row["namespace"] == "AWS/DynamoDB" and row["metric"] == "SuccessfulRequestLatency":
            t = datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00"))
            if ddb_err(t):
                sv = row["statistic_values"]
                n = sv["SampleCount"]
                avg = ddb_lat(t, sv["Sum"] / n)
                sv["Sum"] = round(avg * n, 4)
                sv["Maximum"] = round(
                    max(sv["Maximum"], avg * rng.uniform(8, 25), 1000.0 * rng.uniform(1.2, 2.1)), 4
                )
    for table, ops in [
        ("reservations", [("GetItem", 1.4), ("Query", 0.8), ("PutItem", 0.12)]),
        ("inventory-holds", [("Query", 0.9), ("UpdateItem", 0.2)]),
    ]:
        for t, step in points:
            e = ddb_err(t)
            if not e:
                continue
            for op, per in ops:
                n = ctx.count(rate(t) * per * step / 60 * e * 1.3)
                if n:
                    ctx.put(
                        "AWS/DynamoDB", "SystemErrors", {"TableName": table, "Operation": op}, t, "Count", n
                    )

    # sweeper: every minute; some runs fail during the event
    sweep_fail: dict[datetime, bool] = {}
    for t, step in points:
        mins = step // 60
        fails = 0
        for i in range(mins):
            tt = t + timedelta(minutes=i)
            f = rng.random() < min(0.9, ddb_err(tt) * 3.2)
            sweep_fail[tt] = f
            fails += int(f)
        dur = rng.uniform(600, 1400) + (ddb_err(t) * 9000 if ddb_err(t) else 0)
        g.function_metrics(
            ctx,
            "hold-expiry-sweeper",
            t,
            step,
            inv=mins,
            err=fails,
            thr=0,
            duration=dur,
            conc=(dur / 60000, 1),
        )

    def conf_sent(t: datetime, step: int) -> int:
        return ctx.count(rate(t) * 0.05 * (1 - app_fail.get(t, 0.0)) * step / 60)

    conf = g.sqs_metrics(
        ctx, "booking-confirmations", points, sent=conf_sent, capacity=lambda t, s: 10**6, size=2100.0
    )
    for t, step in points:
        inv = conf[t][0]
        dur = rng.uniform(180, 320)
        g.function_metrics(
            ctx,
            "confirmation-mailer",
            t,
            step,
            inv=inv,
            err=0,
            thr=0,
            duration=dur,
            conc=(inv * dur / 1000 / step, inv * dur / 1000 / step * 3 + 1),
        )

    # --- alarms ---------------------------------------------------------------------------------
    ctx.alarm(
        "resv-public-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims={**lb_dim, "TargetGroup": tg_dim},
        statistic="Sum",
        period=60,
        evaluation_periods=3,
        threshold=30,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        actions=[topic_arn],
        ok_actions=[topic_arn],
    )
    ctx.alarm(
        "resv-public-latency",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims={**lb_dim, "TargetGroup": tg_dim},
        statistic="Average",
        period=60,
        evaluation_periods=5,
        threshold=0.35,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.alarm(
        "hold-expiry-sweeper-errors",
        namespace="AWS/Lambda",
        metric="Errors",
        dims={"FunctionName": "hold-expiry-sweeper"},
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        threshold=3,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        actions=[topic_arn],
    )
    ctx.alarm(
        "reservations-api-cpu-high",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        dims=sdims,
        statistic="Average",
        period=300,
        evaluation_periods=3,
        threshold=75,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.alarm(
        "booking-confirmations-age",
        namespace="AWS/SQS",
        metric="ApproximateAgeOfOldestMessage",
        dims={"QueueName": "booking-confirmations"},
        statistic="Maximum",
        period=300,
        evaluation_periods=2,
        threshold=600,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.evaluate_alarms(fine_from, now, since=start)

    # --- AWS Health ------------------------------------------------------------------------------
    posted = onset_m + timedelta(minutes=rng.randrange(16, 24), seconds=rng.randrange(60))
    update = posted + timedelta(minutes=rng.randrange(17, 24), seconds=rng.randrange(60))
    if update >= now - timedelta(minutes=2):
        update = now - timedelta(minutes=3)
    reg = ctx.region.upper()
    event_arn = (
        f"arn:aws:health:{ctx.region}::event/DYNAMODB/AWS_DYNAMODB_OPERATIONAL_ISSUE/"
        f"AWS_DYNAMODB_OPERATIONAL_ISSUE_{ctx.hex(5).upper()}_{ctx.hex(12).upper()}"
    )
    description = (
        f"[Increased Error Rates and Latencies] {_pdt(posted)} We are investigating increased error rates "
        f"and latencies for DynamoDB APIs in the {reg} Region. Some customers may receive "
        f"InternalServerError responses or experience elevated latency for read and write requests.\n\n"
        f"{_pdt(update)} We have identified the subsystem responsible for the elevated error rates and "
        f"latencies affecting a subset of DynamoDB tables in the {reg} Region and are actively working "
        f"towards mitigation. Requests that receive errors may succeed on retry. Other AWS services that "
        f"use DynamoDB in the {reg} Region may also experience elevated error rates. We will provide "
        f"another update within 30 minutes."
    )
    start_of_impact = onset_m - timedelta(minutes=1)
    entities = []
    for tbl in (resv, holds):
        entities.append(
            {
                "entityArn": f"arn:aws:health:{ctx.region}:{ctx.account}:entity/{ctx.alnum(22)}",
                "eventArn": event_arn,
                "entityValue": str(tbl["TableArn"]),
                "awsAccountId": ctx.account,
                "lastUpdatedTime": d.iso(update),
                "statusCode": "IMPAIRED",
            }
        )
    ctx.event(
        "health",
        {
            "event": {
                "arn": event_arn,
                "service": "DYNAMODB",
                "eventTypeCode": "AWS_DYNAMODB_OPERATIONAL_ISSUE",
                "eventTypeCategory": "issue",
                "region": ctx.region,
                "startTime": d.iso(start_of_impact),
                "lastUpdatedTime": d.iso(update),
                "statusCode": "open",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": description,
            "affected_entities": entities,
        },
    )
    # an unrelated scheduled notice already open
    notice_arn = (
        f"arn:aws:health:{ctx.region}::event/ECS/AWS_ECS_TASK_PATCHING_RETIREMENT/"
        f"AWS_ECS_TASK_PATCHING_RETIREMENT_{ctx.hex(5).upper()}_{ctx.hex(12).upper()}"
    )
    notice_start = day + timedelta(days=rng.randrange(4, 9), hours=rng.randrange(1, 6))
    ctx.event(
        "health",
        {
            "event": {
                "arn": notice_arn,
                "service": "ECS",
                "eventTypeCode": "AWS_ECS_TASK_PATCHING_RETIREMENT",
                "eventTypeCategory": "scheduledChange",
                "region": ctx.region,
                "startTime": d.iso(notice_start),
                "lastUpdatedTime": d.iso(day - timedelta(days=2, hours=rng.randrange(0, 12))),
                "statusCode": "upcoming",
                "eventScopeCode": "ACCOUNT_SPECIFIC",
            },
            "description": (
                "You are receiving this notification because AWS Fargate has deployed a new platform version "
                "revision and will retire any tasks running on previous platform version revision(s) starting "
                f"at {notice_start:%a, %d %b %Y %H:%M} GMT as part of routine task maintenance. Tasks that are "
                "part of a service will be replaced automatically."
            ),
            "affected_entities": [
                {
                    "entityArn": f"arn:aws:health:{ctx.region}:{ctx.account}:entity/{ctx.alnum(22)}",
                    "eventArn": notice_arn,
                    "entityValue": str(ps_svc["serviceArn"]),
                    "awsAccountId": ctx.account,
                    "lastUpdatedTime": d.iso(day - timedelta(days=2)),
                    "statusCode": "PENDING",
                }
            ],
        },
    )

    # ECS service events and target health: steady throughout
    svc_arn = str(svc["serviceArn"])
    t_ev = api_deployed + timedelta(minutes=5)
    while t_ev < now:
        ctx.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": d.iso(t_ev),
                    "message": "(service reservations-api) has reached a steady state.",
                },
            },
        )
        t_ev += timedelta(hours=6, seconds=rng.randrange(0, 30))
    ps_arn = str(ps_svc["serviceArn"])
    for off, msg in [
        (timedelta(seconds=25), "(service partner-sync) has started 2 tasks: (task {a}) (task {b})."),
        (
            timedelta(minutes=2, seconds=10),
            "(service partner-sync) has stopped 2 running tasks: (task {c}) (task {e}).",
        ),
        (timedelta(minutes=3, seconds=40), "(service partner-sync) has reached a steady state."),
        (timedelta(minutes=3, seconds=41), "(service partner-sync) (deployment {dep}) deployment completed."),
    ]:
        ctx.event(
            "ecs",
            {
                "service_arn": ps_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": d.iso(ps_deploy + off),
                    "message": msg.format(
                        a=ctx.hex(32),
                        b=ctx.hex(32),
                        c=ctx.hex(32),
                        e=ctx.hex(32),
                        dep=ps_svc["deployments"][0]["id"],
                    ),
                },
            },
        )
    for task in tasks:
        ctx.event(
            "target_health",
            {
                "target_group_arn": str(tg["TargetGroupArn"]),
                "target": {"Id": d.task_ip(task), "Port": 8080, "AvailabilityZone": task["availabilityZone"]},
                "health": {"State": "healthy"},
                "timestamp": d.iso(
                    datetime.fromisoformat(str(task["startedAt"]).replace("Z", "+00:00"))
                    + timedelta(seconds=50)
                ),
            },
        )

    # --- logs -----------------------------------------------------------------------------------
    log_from = onset_m - timedelta(minutes=90)
    app = "reservations-api"
    req_logger = "c.s.r.web.ReservationController"
    repo_logger = "c.s.r.store.ReservationStore"
    for t in g.minutes(log_from, now):
        share = app_fail.get(t, 0.0)
        for task in tasks:
            stream = f"ecs/reservations-api/{d.task_id(task)}"
            for _ in range(rng.randrange(1, 3)):
                at = t + timedelta(milliseconds=rng.randrange(0, 59000))
                rid = ctx.hex(16)
                prop = f"P{rng.randrange(10000, 99999)}"
                ms_ = round(latency(t) * 1000 * rng.uniform(0.5, 1.6))
                ctx.log(
                    "/ecs/reservations-api",
                    stream,
                    at,
                    g.spring_line(
                        at,
                        "INFO",
                        app,
                        f"nio-8080-exec-{rng.randrange(1, 60)}",
                        req_logger,
                        f"POST /v2/reservations property={prop} status=201 took={ms_}ms traceId={rid}",
                    ),
                )
            if share and rng.random() < min(0.95, share * 9):
                at = t + timedelta(milliseconds=rng.randrange(0, 59000))
                rid = ctx.hex(16)
                op = rng.choice(["GetItem", "Query", "PutItem"])
                table = "inventory-holds" if op == "Query" and rng.random() < 0.5 else "reservations"
                if rng.random() < 0.65:
                    exc = (
                        f"software.amazon.awssdk.services.dynamodb.model.DynamoDbException: Internal server error "
                        f"(Service: DynamoDb, Status Code: 500, Request ID: {ctx.alnum(52, upper=True)})"
                    )
                else:
                    exc = (
                        "software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException: HTTP request execution "
                        "did not complete before the specified timeout configuration: 2000 millis"
                    )
                stack = (
                    f"{exc}\n"
                    "\tat software.amazon.awssdk.core.internal.http.pipeline.stages.utils.RetryableStageHelper.retryPolicyDisallowedRetryException(RetryableStageHelper.java:168)\n"
                    "\tat software.amazon.awssdk.core.internal.http.pipeline.stages.RetryableStage.execute(RetryableStage.java:73)\n"
                    f"\tat software.amazon.awssdk.services.dynamodb.DefaultDynamoDbClient.{op[0].lower() + op[1:]}(DefaultDynamoDbClient.java:{rng.randrange(3000, 6000)})\n"
                    f"\tat com.staylark.reservations.store.ReservationStore.{rng.choice(['loadHold', 'findByProperty', 'save'])}(ReservationStore.java:{rng.randrange(40, 190)})\n"
                    "\tat com.staylark.reservations.service.ReservationService.create(ReservationService.java:88)\n"
                    "\tat com.staylark.reservations.web.ReservationController.create(ReservationController.java:54)\n"
                    "\t... 48 common frames omitted"
                )
                ctx.log(
                    "/ecs/reservations-api",
                    stream,
                    at,
                    g.spring_line(
                        at,
                        "ERROR",
                        app,
                        f"nio-8080-exec-{rng.randrange(1, 60)}",
                        repo_logger,
                        f"{op} on {table} failed after 3 attempts traceId={rid}",
                    )
                    + "\n"
                    + stack,
                )
                ctx.log(
                    "/ecs/reservations-api",
                    stream,
                    at + timedelta(milliseconds=3),
                    g.spring_line(
                        at,
                        "WARN",
                        app,
                        f"nio-8080-exec-{rng.randrange(1, 60)}",
                        "c.s.r.web.ApiExceptionHandler",
                        f"responding 500 INTERNAL_ERROR traceId={rid}",
                    ),
                )
            if rng.random() < 0.015:
                at = t + timedelta(milliseconds=rng.randrange(0, 59000))
                ctx.log(
                    "/ecs/reservations-api",
                    stream,
                    at,
                    g.spring_line(
                        at,
                        "WARN",
                        app,
                        "pricing-refresh-1",
                        "c.s.r.pricing.RateCache",
                        f"rate cache refresh took {rng.randrange(1800, 3500)}ms (threshold 1500ms)",
                    ),
                )
    sw_stream = d.lambda_stream(ctx, log_from - timedelta(hours=2))
    for t in g.minutes(log_from, now):
        at = t + timedelta(seconds=rng.uniform(0.05, 0.9))
        fail = sweep_fail.get(t, False)
        e = ddb_err(t)
        if fail:
            dur = rng.uniform(14000, 31000)
            rid = ctx.uuid()
            d.lambda_invocation(
                ctx,
                "/aws/lambda/hold-expiry-sweeper",
                sw_stream,
                at,
                duration_ms=dur,
                memory=256,
                used=rng.randrange(88, 97),
                request_id=rid,
                status="error",
                body=[
                    (
                        20.0,
                        g.lambda_py_line(
                            at + timedelta(milliseconds=20), "{rid}", "info", "sweeping holds older than 900s"
                        ),
                    ),
                    (
                        dur - 30,
                        "[ERROR] ClientError: An error occurred (InternalServerError) when calling the Query operation (reached max retries: 9): Internal server error\n"
                        "Traceback (most recent call last):\n"
                        '  File "/var/task/sweeper.py", line 47, in handler\n'
                        "    for page in paginator.paginate(TableName=HOLDS_TABLE, IndexName=None, KeyConditionExpression=cond, ExpressionAttributeValues=vals):\n"
                        '  File "/var/lang/lib/python3.12/site-packages/botocore/paginate.py", line 269, in __iter__\n'
                        "    response = self._make_request(current_kwargs)\n"
                        '  File "/var/lang/lib/python3.12/site-packages/botocore/client.py", line 1023, in _make_api_call\n'
                        "    raise error_class(parsed_response, operation_name)\n",
                    ),
                ],
            )
        else:
            dur = rng.uniform(600, 1400) + (e * 9000 if e else 0)
            d.lambda_invocation(
                ctx,
                "/aws/lambda/hold-expiry-sweeper",
                sw_stream,
                at,
                duration_ms=dur,
                memory=256,
                used=rng.randrange(84, 95),
                body=[
                    (
                        20.0,
                        g.lambda_py_line(
                            at + timedelta(milliseconds=20), "{rid}", "info", "sweeping holds older than 900s"
                        ),
                    ),
                    (
                        dur - 10,
                        g.lambda_py_line(
                            at + timedelta(milliseconds=dur - 10),
                            "{rid}",
                            "info",
                            f"released {rng.randrange(0, 40)} expired holds",
                        ),
                    ),
                ],
            )
    ml_stream = d.lambda_stream(ctx, log_from - timedelta(hours=1))
    for t in g.minutes(log_from, now):
        if rng.random() < 0.5:
            at = t + timedelta(milliseconds=rng.randrange(0, 59000))
            dur = rng.uniform(180, 320)
            d.lambda_invocation(
                ctx,
                "/aws/lambda/confirmation-mailer",
                ml_stream,
                at,
                duration_ms=dur,
                memory=512,
                used=rng.randrange(101, 118),
                body=[
                    (
                        dur - 12,
                        g.lambda_node_line(
                            at + timedelta(milliseconds=dur - 12),
                            "{rid}",
                            "info",
                            json.dumps(
                                {
                                    "msg": "confirmation sent",
                                    "messageId": f"0100{ctx.hex(12)}-{ctx.uuid()}-000000",
                                },
                                separators=(",", ":"),
                            ),
                        ),
                    )
                ],
            )
    # partner-sync: normal output around its deploy
    for i, tk in enumerate([ctx.hex(32), ctx.hex(32)]):
        stream = f"ecs/partner-sync/{tk}"
        t0 = ps_deploy + timedelta(seconds=40 + i * 7)
        ctx.log(
            "/ecs/partner-sync",
            stream,
            t0,
            g.spring_line(
                t0,
                "INFO",
                "partner-sync",
                "main",
                "c.s.p.PartnerSyncApplication",
                f"Started PartnerSyncApplication in {rng.uniform(6, 11):.3f} seconds (process running for {rng.uniform(7, 12):.3f})",
            ),
        )
        t1 = t0 + timedelta(minutes=1)
        while t1 < now:
            ctx.log(
                "/ecs/partner-sync",
                stream,
                t1,
                g.spring_line(
                    t1,
                    "INFO",
                    "partner-sync",
                    "scheduling-1",
                    "c.s.p.sync.ChannelSync",
                    f"pushed availability to {rng.choice(['booking.com', 'expedia', 'airbnb'])}: {rng.randrange(20, 400)} properties",
                ),
            )
            t1 += timedelta(minutes=5, seconds=rng.randrange(0, 9))

    # --- CloudTrail ------------------------------------------------------------------------------
    office_ip = f"73.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}"
    dba = d.sso_user(ctx, "marco.silva@staylark.com", "PlatformEngineer", ip=office_ip)
    oncall = d.sso_user(
        ctx,
        "hannah.berg@staylark.com",
        "PowerUser",
        ip=f"98.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        console=True,
    )
    ci = g.github_ci(ctx, "gha-deploy-partner-sync", "staylark/partner-sync")
    ci.ua = ci.ua.replace("lambda.update-function-code", "ecs.update-service")
    d.background_trail(ctx, start, now, 36, [dba, oncall])
    # partner-sync deploy
    d.ct(
        ctx,
        ps_deploy - timedelta(seconds=rng.randrange(30, 70)),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        params={
            "family": "partner-sync",
            "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/partner-sync-task",
            "executionRoleArn": f"arn:aws:iam::{ctx.account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": "partner-sync",
                    "image": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/partner-sync:{ctx.hex(7)}",
                    "essential": True,
                }
            ],
        },
        response={
            "taskDefinition": {
                "taskDefinitionArn": td_ps,
                "family": "partner-sync",
                "revision": td_ps_old + 1,
                "status": "ACTIVE",
            }
        },
    )
    d.ct(
        ctx,
        ps_deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        params={
            "cluster": cluster,
            "service": "partner-sync",
            "taskDefinition": td_ps,
            "forceNewDeployment": False,
        },
        response={
            "service": {
                "serviceArn": ps_arn,
                "serviceName": "partner-sync",
                "taskDefinition": td_ps,
                "desiredCount": 2,
                "status": "ACTIVE",
            }
        },
    )
    d.ct(
        ctx,
        ps_deploy + timedelta(minutes=4),
        ci,
        "ecs.amazonaws.com",
        "DescribeServices",
        params={"cluster": cluster, "services": ["partner-sync"]},
        read_only=True,
    )
    # PITR switched on for inventory-holds (a compliance ticket)
    t_pitr = onset_m - timedelta(minutes=rng.randrange(6, 12), seconds=rng.randrange(60))
    d.ct(
        ctx,
        t_pitr - timedelta(minutes=1),
        dba,
        "dynamodb.amazonaws.com",
        "DescribeContinuousBackups",
        params={"tableName": "inventory-holds"},
        read_only=True,
    )
    d.ct(
        ctx,
        t_pitr,
        dba,
        "dynamodb.amazonaws.com",
        "UpdateContinuousBackups",
        params={
            "tableName": "inventory-holds",
            "pointInTimeRecoverySpecification": {"pointInTimeRecoveryEnabled": True},
        },
        response={
            "continuousBackupsDescription": {
                "continuousBackupsStatus": "ENABLED",
                "pointInTimeRecoveryDescription": {
                    "pointInTimeRecoveryStatus": "ENABLED",
                    "earliestRestorableDateTime": f"{t_pitr:%b %d, %Y, %I:%M:%S %p}",
                },
            }
        },
        resources=[{"accountId": ctx.account, "type": "AWS::DynamoDB::Table", "ARN": str(holds["TableArn"])}],
    )
    d.ct(
        ctx,
        t_pitr + timedelta(minutes=2),
        dba,
        "dynamodb.amazonaws.com",
        "TagResource",
        params={
            "resourceArn": str(holds["TableArn"]),
            "tags": [{"key": "backup-policy", "value": "pitr-35d"}],
        },
        resources=[{"accountId": ctx.account, "type": "AWS::DynamoDB::Table", "ARN": str(holds["TableArn"])}],
    )
    # earlier routine writes
    d.ct(
        ctx,
        start + timedelta(minutes=rng.randrange(30, 90)),
        dba,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        params={"logGroupName": "/ecs/partner-sync", "retentionInDays": 30},
    )
    d.ct(
        ctx,
        start + timedelta(minutes=rng.randrange(100, 160)),
        dba,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        params={
            "alarmName": "booking-confirmations-age",
            "metricName": "ApproximateAgeOfOldestMessage",
            "namespace": "AWS/SQS",
            "statistic": "Maximum",
            "period": 300,
            "evaluationPeriods": 2,
            "threshold": 600.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [topic_arn],
        },
    )
    # on-call after the alarms
    page = onset_m + timedelta(minutes=6)
    for i, (src, nm, prm) in enumerate(
        [
            ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": ["reservations-api"]}),
            (
                "elasticloadbalancing.amazonaws.com",
                "DescribeTargetHealth",
                {"targetGroupArn": tg["TargetGroupArn"]},
            ),
            ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster, "serviceName": "reservations-api"}),
            ("dynamodb.amazonaws.com", "DescribeTable", {"tableName": "reservations"}),
            (
                "logs.amazonaws.com",
                "StartQuery",
                {
                    "logGroupName": "/ecs/reservations-api",
                    "queryString": "fields @timestamp, @message | filter @message like /ERROR/ | sort @timestamp desc | limit 50",
                },
            ),
            ("cloudtrail.amazonaws.com", "LookupEvents", {"maxResults": 50}),
        ]
    ):
        d.ct(
            ctx,
            page + timedelta(minutes=2 + i * 3, seconds=rng.randrange(0, 50)),
            oncall,
            src,
            nm,
            params=prm,
            read_only=True,
        )

    hh = local_onset
    mm = hh.minute - hh.minute % 5
    clock = f"{(hh.hour % 12) or 12}:{mm:02d}{'pm' if hh.hour >= 12 else 'am'}"
    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=(
            f"Reservations API has been throwing 500s and is really slow since about {clock}, and the "
            "hold-expiry sweeper keeps failing. Can you figure out what's going on?"
        ),
        alarm_event=None,
        timezone=tzname,
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": event_arn,
                "category": "dependency_failure",
                "failure_mode": "aws-regional-service-event",
            },
            "also_accept": [
                str(resv["TableArn"]),
                str(holds["TableArn"]),
                "reservations",
                "inventory-holds",
                "AWS_DYNAMODB_OPERATIONAL_ISSUE",
            ],
            "actions": [],
            "chain": [
                f"An AWS DynamoDB operational issue in {ctx.region} raised error rates and latencies on tables "
                "reservations and inventory-holds (SystemErrors, SuccessfulRequestLatency)",
                "reservations-api (ECS) DynamoDB calls failed after retries or hit the 2 s attempt timeout",
                "resv-public ALB returned target 5xx and slow responses; hold-expiry-sweeper invocations failed",
            ],
        },
    )
