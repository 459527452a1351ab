"""Lesson pages erroring on and off in the afternoon; a learn-api release went out shortly before."""

from __future__ import annotations

from datetime import timedelta

from evals.bundle import Bundle

from ._kit_zzzf import (
    Ctx,
    Task,
    alb_minute,
    background_trail,
    cloudfront_minute,
    crossing_reason,
    deploy_records,
    diurnal,
    ecs_event,
    ecs_minute,
    finish,
    health_point,
    iso,
    lb_totals,
    local_clock,
    minutes,
    platform,
    rds_minute,
    reason_data,
    task_id,
)

NAME = "learn-api-intermittent-errors-after-lunch"
TITLE = "Students seeing 'Something went wrong' on lessons on and off since early afternoon"
SUMMARY = "A console edit of the learn-api target group's health-check path to a route the app does not serve makes every target fail its checks; the ALB fails open but ECS keeps replacing the 'unhealthy' tasks, so requests hit stopping tasks and reduced capacity."


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    onset = ctx.day + timedelta(hours=19, minutes=r.randint(5, 40), seconds=r.randint(0, 59))
    start = (onset - timedelta(hours=3, minutes=r.randint(12, 25))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(42, 55))).replace(second=0)
    tg = "bp-learn-api-tg"
    port = 8000
    n_tasks = r.choice([5, 6, 6, 7])
    rev = r.randint(140, 190)
    revs = {"bp-learn-api": rev, "bp-web": r.randint(300, 420), "bp-progress-api": r.randint(60, 99)}
    t_learn_deploy = onset - timedelta(minutes=r.randint(44, 58))
    t_web_deploy = onset - timedelta(hours=2, minutes=r.randint(0, 30))
    deployed = {
        "bp-learn-api": t_learn_deploy,
        "bp-web": t_web_deploy,
        "bp-progress-api": ctx.day - timedelta(days=3),
    }
    platform(
        ctx,
        {"bp-learn-api": n_tasks, "bp-web": 4, "bp-progress-api": 3},
        revs,
        deployed,
        health_path={"bp-learn-api": "/healthz"},
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    background_trail(ctx, start, now, 34)
    gha = ctx.role("bp-github-deploy", "GitHubActions")
    deploy_records(ctx, t_web_deploy, "bp-web", revs["bp-web"], gha, 4)
    deploy_records(ctx, t_learn_deploy, "bp-learn-api", rev, gha, n_tasks)
    eng = ctx.sso("marcus.oyelaran@brightpath.io")
    other = ctx.sso("dana.whitlock@brightpath.io", "Developer")
    ctx.ct(
        onset - timedelta(minutes=r.randint(18, 30)),
        "cognito-idp.amazonaws.com",
        "UpdateUserPoolClient",
        other,
        {
            "userPoolId": ctx.pool_id,
            "clientId": ctx.hex(26),
            "clientName": "bp-web",
            "callbackURLs": [
                "https://learn.brightpath.io/api/auth/callback",
                "https://staging-preview.brightpath.io/api/auth/callback",
            ],
            "allowedOAuthFlows": ["code"],
            "allowedOAuthScopes": ["openid", "email", "profile"],
            "allowedOAuthFlowsUserPoolClient": True,
            "supportedIdentityProviders": ["COGNITO", "Google"],
        },
        {"userPoolClient": {"userPoolId": ctx.pool_id, "clientName": "bp-web"}},
        console=True,
    )
    ctx.ct(
        onset - timedelta(minutes=r.randint(6, 12)),
        "ssm.amazonaws.com",
        "PutParameter",
        other,
        {"name": "/bp/prod/web/FEATURE_COURSE_REVIEWS", "type": "String", "overwrite": True},
        {"version": r.randint(3, 9), "tier": "Standard"},
        console=True,
    )
    ctx.ct(
        onset - timedelta(minutes=3),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetGroups",
        eng,
        {"loadBalancerArn": ctx.alb_arn},
        None,
        read_only=True,
        console=True,
    )
    culprit = ctx.ct(
        onset,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroup",
        eng,
        {
            "targetGroupArn": ctx.tg_arn(tg),
            "healthCheckPath": "/healthz",
            "healthCheckIntervalSeconds": 15,
            "healthCheckTimeoutSeconds": 5,
            "healthyThresholdCount": 2,
            "unhealthyThresholdCount": 3,
            "matcher": {"httpCode": "200"},
        },
        {
            "targetGroups": [
                {
                    "targetGroupArn": ctx.tg_arn(tg),
                    "targetGroupName": tg,
                    "protocol": "HTTP",
                    "port": port,
                    "vpcId": ctx.vpc,
                    "healthCheckProtocol": "HTTP",
                    "healthCheckPort": "traffic-port",
                    "healthCheckEnabled": True,
                    "healthCheckIntervalSeconds": 15,
                    "healthCheckTimeoutSeconds": 5,
                    "healthyThresholdCount": 2,
                    "unhealthyThresholdCount": 3,
                    "healthCheckPath": "/healthz",
                    "matcher": {"httpCode": "200"},
                    "loadBalancerArns": [ctx.alb_arn],
                    "targetType": "ip",
                    "protocolVersion": "HTTP1",
                    "ipAddressType": "ipv4",
                }
            ]
        },
        console=True,
    )
    ctx.ct(
        onset + timedelta(minutes=1),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        eng,
        {"targetGroupArn": ctx.tg_arn(tg)},
        None,
        read_only=True,
        console=True,
    )
    ctx.ct(
        onset + timedelta(minutes=2),
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetGroups",
        eng,
        {"loadBalancerArn": ctx.alb_arn},
        None,
        read_only=True,
        console=True,
    )

    # --- tasks and their target-health timeline ---------------------------------------------------------
    svc = "bp-learn-api"
    group = f"/ecs/{svc}"
    tasks: list[Task] = []
    for i in range(n_tasks):
        tasks.append(
            Task(
                task_id(ctx), ctx.ip(), ctx.azs[i % 3], t_learn_deploy + timedelta(seconds=r.randint(40, 200))
            )
        )
    for tk in tasks:
        health_point(
            ctx,
            tg,
            tk.ip,
            port,
            tk.az,
            tk.up,
            "initial",
            "Elb.RegistrationInProgress",
            "Target registration is in progress",
        )
        health_point(ctx, tg, tk.ip, port, tk.az, tk.up + timedelta(seconds=35), "healthy")
    ecs_event(ctx, svc, t_learn_deploy + timedelta(minutes=7), f"(service {svc}) has reached a steady state.")
    ecs_event(
        ctx,
        svc,
        t_learn_deploy + timedelta(minutes=6),
        f"(service {svc}) (deployment ecs-svc/{r.randint(10**18, 10**19 - 1)}) deployment completed.",
    )
    fail = onset + timedelta(seconds=40)
    reason404 = "Health checks failed with these codes: [404]"
    # cycle: every ~3-4 minutes ECS replaces the unhealthy tasks, two at a time
    live = list(tasks)
    t = fail
    cycles: list[tuple[Task, Task]] = []
    for tk in live:
        health_point(
            ctx,
            tg,
            tk.ip,
            port,
            tk.az,
            fail + timedelta(seconds=r.randint(0, 14)),
            "unhealthy",
            "Target.ResponseCodeMismatch",
            reason404,
        )
    t = fail + timedelta(seconds=r.randint(50, 80))
    while t < now:
        ecs_event(
            ctx,
            svc,
            t,
            f"(service {svc}) (port {port}) is unhealthy in (target-group {ctx.tg_arn(tg)}) due to (reason {reason404}).",
        )
        victims = r.sample(live, 2)
        ecs_event(
            ctx,
            svc,
            t + timedelta(seconds=2),
            f"(service {svc}) has stopped 2 running tasks: (task {victims[0].id}) (task {victims[1].id}).",
        )
        for v in victims:
            live.remove(v)
            v.down = t
            health_point(
                ctx,
                tg,
                v.ip,
                port,
                v.az,
                t + timedelta(seconds=2),
                "draining",
                "Target.DeregistrationInProgress",
                "Target deregistration is in progress",
            )
            health_point(
                ctx,
                tg,
                v.ip,
                port,
                v.az,
                t + timedelta(seconds=302),
                "unused",
                "Target.NotRegistered",
                "Target is not registered to the target group",
            )
            fresh = Task(task_id(ctx), ctx.ip(), v.az, t + timedelta(seconds=r.randint(45, 75)))
            cycles.append((v, fresh))
            live.append(fresh)
            tasks.append(fresh)
            up = fresh.up
            health_point(
                ctx,
                tg,
                fresh.ip,
                port,
                fresh.az,
                up,
                "initial",
                "Elb.RegistrationInProgress",
                "Target registration is in progress",
            )
            health_point(
                ctx,
                tg,
                fresh.ip,
                port,
                fresh.az,
                up + timedelta(seconds=45),
                "unhealthy",
                "Target.ResponseCodeMismatch",
                reason404,
            )
        ecs_event(
            ctx,
            svc,
            t + timedelta(seconds=r.randint(20, 40)),
            f"(service {svc}) has started 2 tasks: (task {cycles[-2][1].id}) (task {cycles[-1][1].id}).",
        )
        t += timedelta(seconds=r.randint(190, 260))

    # --- logs ------------------------------------------------------------------------------------------------
    paths = [
        "/v1/courses/{c}/lessons/{l}",
        "/v1/lessons/{l}/progress",
        "/v1/quizzes/{q}/attempts",
        "/v1/me/enrolments",
        "/v1/courses/{c}",
    ]
    for tk in tasks:
        stream = f"ecs/learn-api/{tk.id}"
        up = tk.up
        down = tk.down or now
        ctx.log(group, stream, up - timedelta(seconds=20), "INFO:     Started server process [1]")
        ctx.log(group, stream, up - timedelta(seconds=20), "INFO:     Waiting for application startup.")
        ctx.log(
            group,
            stream,
            up - timedelta(seconds=18),
            '{"level":"info","logger":"app.db","msg":"database pool ready","pool_size":10,"max_overflow":10}',
        )
        ctx.log(group, stream, up - timedelta(seconds=18), "INFO:     Application startup complete.")
        ctx.log(
            group,
            stream,
            up - timedelta(seconds=18),
            f"INFO:     Uvicorn running on http://0.0.0.0:{port} (Press CTRL+C to quit)",
        )
        ts = up
        while ts < down and ts < now:
            path = "/healthz" if ts >= onset else "/health"
            code = "404 Not Found" if ts >= onset else "200 OK"
            ctx.log(
                group,
                stream,
                ts,
                f'INFO:     10.20.{r.choice([16, 32, 48])}.{r.randint(5, 250)}:{r.randint(20000, 60000)} - "GET {path} HTTP/1.1" {code}',
            )
            if r.random() < 0.5:
                p = r.choice(paths).format(
                    c=r.randint(100, 999), l=r.randint(1000, 9999), q=r.randint(100, 999)
                )
                meth = "POST" if "attempts" in p or "progress" in p else "GET"
                ctx.log(
                    group,
                    stream,
                    ts + timedelta(seconds=r.randint(1, 50)),
                    f'INFO:     10.20.{r.choice([16, 32, 48])}.{r.randint(5, 250)}:{r.randint(20000, 60000)} - "{meth} {p} HTTP/1.1" 200 OK',
                )
            ts += timedelta(seconds=60 if ts < onset - timedelta(minutes=10) else 15)
        if tk.down:
            ctx.log(group, stream, down, "INFO:     Shutting down")
            ctx.log(
                group,
                stream,
                down + timedelta(seconds=1),
                "INFO:     Waiting for connections to close. (CTRL+C to force quit)",
            )
            ctx.log(group, stream, down + timedelta(seconds=2), "INFO:     Waiting for application shutdown.")
            ctx.log(group, stream, down + timedelta(seconds=2), "INFO:     Application shutdown complete.")
            ctx.log(group, stream, down + timedelta(seconds=2), "INFO:     Finished server process [1]")
    # web tier logs a few upstream failures
    for _ in range(18):
        ts = onset + timedelta(seconds=r.randint(90, int((now - onset).total_seconds()) - 10))
        ctx.log(
            "/ecs/bp-web",
            f"ecs/web/{ctx.hex(32)}",
            ts,
            f"[next] Error: Request failed with status code {r.choice([502, 502, 503])} at LessonPage getServerSideProps (url: http://learn-api.internal/v1/courses/{r.randint(100, 999)}/lessons/{r.randint(1000, 9999)})",
        )

    # --- metrics --------------------------------------------------------------------------------------------
    for m in minutes(start, now):
        d = diurnal(m, 20.5)
        after = m >= onset + timedelta(minutes=1)
        req = int(2600 * d * r.uniform(0.93, 1.07))
        e502 = int(req * r.uniform(0.03, 0.09)) if after else (1 if r.random() < 0.1 else 0)
        e503 = int(req * r.uniform(0.005, 0.02)) if after else 0
        alive = sum(1 for tk in tasks if tk.up <= m and (tk.down is None or tk.down > m))
        alb_minute(
            ctx,
            m,
            tg,
            req,
            target_5xx=r.randint(0, 3),
            elb_502=e502,
            elb_503=e503,
            healthy=0 if after else alive,
            unhealthy=alive if after else 0,
            median=0.19 if after else 0.085,
            tail=9.0 if after else 4.0,
        )
        wreq = int(1900 * d * r.uniform(0.93, 1.07))
        alb_minute(
            ctx, m, "bp-web-tg", wreq, target_5xx=int(e502 * 0.6) + r.randint(0, 2), healthy=4, median=0.14
        )
        preq = int(700 * d * r.uniform(0.9, 1.1))
        alb_minute(
            ctx,
            m,
            "bp-progress-api-tg",
            preq,
            target_5xx=r.randint(0, 1),
            healthy=3,
            median=0.04 + (0.5 if abs((m - onset).total_seconds() + 7000) < 300 else 0),
        )
        lb_totals(ctx, m, req + wreq + preq, int((req + wreq + preq) * 0.45))
        ecs_minute(ctx, m, svc, (31 if not after else 44) * d * r.uniform(0.9, 1.1), 52 + r.uniform(-2, 2))
        ecs_minute(ctx, m, "bp-web", 23 * d * r.uniform(0.9, 1.1), 61 + r.uniform(-2, 2))
        ecs_minute(ctx, m, "bp-progress-api", 12 * d * r.uniform(0.9, 1.1), 40 + r.uniform(-2, 2))
        rds_minute(ctx, m, ctx.db_writer, 24 * d * r.uniform(0.9, 1.1), 118 * r.uniform(0.95, 1.05))
        rds_minute(
            ctx,
            m,
            ctx.db_reader,
            17 * d * r.uniform(0.9, 1.1),
            64 * r.uniform(0.95, 1.05),
            lag=r.uniform(12, 30),
        )
        cloudfront_minute(
            ctx,
            m,
            int((req + wreq) * 5.2),
            (e502 + e503) / max(1, req + wreq) * 100 * 0.35,
            r.uniform(0.6, 1.2),
        )

    # --- alarms ------------------------------------------------------------------------------------------------
    elb = ctx.alarm(
        "bp-prod-alb-elb-5xx",
        "ALB-generated 5xx (no target response) on bp-prod-alb. Runbook: https://wiki.brightpath.io/runbooks/alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": ctx.alb_dim},
        "Sum",
        50.0,
        "GreaterThanThreshold",
        evals=3,
    )
    fire = (onset + timedelta(minutes=5)).replace(second=r.randint(10, 50))
    recent = [float(r.randint(80, 260)) for _ in range(3)]
    reason = crossing_reason(elb, recent, fire)
    data = reason_data(elb, fire, recent)
    elb.update(
        StateValue="ALARM",
        StateReason=reason,
        StateUpdatedTimestamp=iso(fire),
        StateTransitionedTimestamp=iso(fire),
    )
    ctx.transition(elb, fire, "OK", "ALARM", reason, data)
    unh = ctx.alarm(
        "bp-learn-api-unhealthy-targets",
        "learn-api targets failing ALB health checks",
        "AWS/ApplicationELB",
        "UnHealthyHostCount",
        {"TargetGroup": ctx.tg_dim(tg), "LoadBalancer": ctx.alb_dim},
        "Maximum",
        2.0,
        "GreaterThanOrEqualToThreshold",
        evals=2,
        topic="bp-platform-slack",
    )
    ufire = (onset + timedelta(minutes=3)).replace(second=r.randint(10, 50))
    urec = [float(n_tasks), float(n_tasks)]
    ureason = crossing_reason(unh, urec, ufire)
    unh.update(
        StateValue="ALARM",
        StateReason=ureason,
        StateUpdatedTimestamp=iso(ufire),
        StateTransitionedTimestamp=iso(ufire),
    )
    ctx.transition(unh, ufire, "OK", "ALARM", ureason, reason_data(unh, ufire, urec))
    # unrelated: progress-api latency flapped earlier in the afternoon
    lat = ctx.alarm(
        "bp-progress-api-latency",
        "progress-api average response time",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"TargetGroup": ctx.tg_dim("bp-progress-api-tg"), "LoadBalancer": ctx.alb_dim},
        "Average",
        0.5,
        "GreaterThanThreshold",
        evals=2,
        topic="bp-platform-slack",
    )
    f1 = (onset - timedelta(seconds=7000) + timedelta(minutes=1)).replace(second=12)
    rec1 = [0.61, 0.58]
    ctx.transition(lat, f1, "OK", "ALARM", crossing_reason(lat, rec1, f1), reason_data(lat, f1, rec1))
    f2 = f1 + timedelta(minutes=5)
    rec2 = [0.043, 0.041]
    okr = crossing_reason(lat, rec2, f2, alarming=False)
    ctx.transition(lat, f2, "ALARM", "OK", okr, reason_data(lat, f2, rec2))
    lat.update(StateReason=okr, StateUpdatedTimestamp=iso(f2), StateTransitionedTimestamp=iso(f2))
    ctx.alarm(
        "bp-aurora-writer-cpu-high",
        "Aurora writer CPU",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": ctx.db_writer},
        "Average",
        80.0,
        "GreaterThanThreshold",
        period=300,
        evals=3,
    )
    ctx.alarm(
        "bp-cloudfront-5xx-rate",
        "CloudFront 5xx error rate for learn.brightpath.io",
        "AWS/CloudFront",
        "5xxErrorRate",
        {"DistributionId": ctx.dist_id, "Region": "Global"},
        "Average",
        5.0,
        "GreaterThanThreshold",
        period=300,
        evals=2,
    )

    local = local_clock(onset, "America/Chicago")
    question = (
        f"Students are getting the 'Something went wrong' page on lessons on and off since about {local}, and a few say quiz "
        "submits just spin. learn-api shipped a release right after lunch. Is that what broke it? Should we roll back?"
    )
    return finish(
        ctx,
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": ctx.account,
            "region": ctx.region,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {
                "question": question,
                "alarm_event": ctx.alarm_event(elb, fire, reason, data, ctx.day),
                "timezone": "America/Chicago",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": ctx.tg_arn(tg),
                    "category": "change",
                    "failure_mode": "health-check-path-misconfigured",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [tg, ctx.tg_dim(tg)],
                "actions": ["rollback", "reconfigure"],
                "chain": [ctx.tg_arn(tg), svc, ctx.alb_name],
            },
        },
    )
