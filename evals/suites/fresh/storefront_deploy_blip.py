"""No fault: a rolling ECS deploy of storefront-web cut a handful of in-flight requests when the old
tasks stopped (ALB 502s for about a minute); the 5xx alarm fired once and went back to OK."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh import _kit_d as d
from evals.suites.fresh import _kit_g as g

NAME = "storefront-deploy-502-blip"
TITLE = "shop-web ELB 5xx alarm during the storefront-web deploy"
SUMMARY = (
    "A routine rolling deploy of storefront-web dropped a few in-flight requests as old tasks stopped; "
    "one minute of ALB 502s, the alarm fired once and recovered. Nothing is wrong now."
)


def build(seed: int) -> Bundle:
    ctx = d.Ctx(NAME, seed)
    rng = ctx.rng
    day = ctx.day()
    deploy = day.replace(hour=rng.randrange(13, 19)) + timedelta(
        minutes=rng.randrange(0, 60), seconds=rng.randrange(60)
    )
    start = d.floor_min(deploy) - timedelta(hours=4, minutes=rng.randrange(0, 50))
    now = d.floor_min(deploy) + timedelta(minutes=rng.randrange(34, 50), seconds=rng.randrange(60))
    fine_from = d.floor_min(deploy) - timedelta(hours=2, minutes=30)
    points = d.grid(start, now, fine_from)
    old = day - timedelta(days=rng.randrange(300, 900))
    peak = rng.uniform(18.0, 21.0)
    desired = rng.choice([4, 6, 6, 8])

    # rollout milestones
    started_new = deploy + timedelta(seconds=rng.randrange(15, 30))
    running_new = started_new + timedelta(seconds=rng.randrange(35, 55))
    registered = running_new + timedelta(seconds=rng.randrange(3, 9))
    healthy_new = registered + timedelta(seconds=rng.randrange(40, 70))
    draining = healthy_new + timedelta(seconds=rng.randrange(5, 20))
    stopped_old = draining + timedelta(seconds=rng.randrange(6, 12))  # deregistration delay is short
    steady = stopped_old + timedelta(seconds=rng.randrange(90, 160))
    blip_min = d.floor_min(stopped_old)
    cut = rng.randrange(7, 22)

    # --- resources -------------------------------------------------------------------------------
    net = d.network(ctx)
    topic_arn = ctx.arn("sns", "shop-web-alerts")
    ctx.res(
        "sns",
        "Topic",
        {
            "TopicArn": topic_arn,
            "Attributes": {
                "TopicArn": topic_arn,
                "DisplayName": "shop web alerts",
                "Owner": ctx.account,
                "SubscriptionsConfirmed": "2",
                "SubscriptionsPending": "0",
                "SubscriptionsDeleted": "0",
            },
        },
    )
    lb, lb_dim = d.alb(ctx, "shop-web", net, old)
    tg, tg_dim = d.target_group(
        ctx, "storefront-web-tg", net, str(lb["LoadBalancerArn"]), port=3000, health_path="/healthz"
    )
    tg_arn = str(tg["TargetGroupArn"])
    cluster = "shop-prod"
    d.ecs_cluster(ctx, cluster, services=2, tasks=desired + 2)
    rev = rng.randrange(300, 700)
    td_old = ctx.arn("ecs", f"task-definition/storefront-web:{rev}")
    td_new = ctx.arn("ecs", f"task-definition/storefront-web:{rev + 1}")
    sha_old, sha_new = ctx.hex(7), ctx.hex(7)
    repo = f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/storefront-web"
    prev_deploy = day - timedelta(days=rng.randrange(1, 4), hours=rng.randrange(0, 9))
    old_tasks = [
        d.ecs_task(
            ctx,
            cluster,
            "storefront-web",
            td_old,
            net,
            i % 3,
            prev_deploy + timedelta(seconds=20 + i * 3),
            image=f"{repo}:{sha_old}",
            container="storefront-web",
        )
        for i in range(desired)
    ]
    new_tasks = [
        d.ecs_task(
            ctx,
            cluster,
            "storefront-web",
            td_new,
            net,
            i % 3,
            running_new + timedelta(seconds=i * 2),
            image=f"{repo}:{sha_new}",
            container="storefront-web",
        )
        for i in range(desired)
    ]
    dep_id = f"ecs-svc/{rng.randrange(10**18, 10**19)}"
    for task in old_tasks:
        stop_at = stopped_old + timedelta(seconds=rng.uniform(0, 4))
        task["lastStatus"] = "STOPPED"
        task["desiredStatus"] = "STOPPED"
        task["stopCode"] = "ServiceSchedulerInitiated"
        task["stoppedReason"] = f"Scaling activity initiated by (deployment {dep_id})"
        task["stoppingAt"] = d.iso(draining)
        task["executionStoppedAt"] = d.iso(stop_at)
        task["stoppedAt"] = d.iso(stop_at + timedelta(seconds=rng.randrange(8, 20)))
        task["connectivity"] = "DISCONNECTED"
        task["connectivityAt"] = d.iso(stop_at)
        task["attachments"][0]["status"] = "DELETED"
        for c in task["containers"]:
            c["lastStatus"] = "STOPPED"
            c["exitCode"] = 0
    svc = g.ecs_service(
        ctx,
        cluster,
        "storefront-web",
        taskdef_arn=td_new,
        desired=desired,
        created=old,
        deployed=deploy,
        tg_arn=tg_arn,
        container="storefront-web",
        port=3000,
        subnets=net.subnets,
        sg=net.sg_app,
        deployment_id=dep_id,
        completed=steady,
    )
    td_w = ctx.arn("ecs", f"task-definition/storefront-worker:{rng.randrange(80, 200)}")
    worker_tasks = [
        d.ecs_task(
            ctx,
            cluster,
            "storefront-worker",
            td_w,
            net,
            i,
            prev_deploy + timedelta(minutes=3, seconds=i * 5),
            image=f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/storefront-worker:{ctx.hex(7)}",
            container="storefront-worker",
            cpu="512",
            memory="1024",
        )
        for i in range(2)
    ]
    g.ecs_service(
        ctx,
        cluster,
        "storefront-worker",
        taskdef_arn=td_w,
        desired=2,
        created=old,
        deployed=prev_deploy,
        tg_arn=None,
        container="storefront-worker",
        port=3000,
        subnets=net.subnets,
        sg=net.sg_app,
        deployment_id=f"ecs-svc/{rng.randrange(10**18, 10**19)}",
    )
    d.iam_role(
        ctx, "storefront-web-task", "ecs-tasks.amazonaws.com", old, last_used=now - timedelta(minutes=3)
    )
    d.log_group(ctx, "/ecs/storefront-web", old, retention=14)
    d.log_group(ctx, "/ecs/storefront-worker", old, retention=14)

    # --- metrics --------------------------------------------------------------------------------
    def rate(t: datetime) -> float:
        return 2600 * d.diurnal(t, peak, 0.45)

    def healthy(t: datetime) -> int:
        if t < d.floor_min(healthy_new):
            return desired
        if t < blip_min:
            return desired * 2
        if t == blip_min:
            return desired * 2
        return desired

    def elb_5xx(t: datetime, step: int, n: int) -> int:
        if t == blip_min:
            return cut
        if step == 60 and rng.random() < 0.004:
            return 1
        return 0

    def target_5xx(t: datetime, step: int, n: int) -> int:
        return ctx.count(n * 0.0002)

    def latency(t: datetime) -> float:
        base = 0.085 * rng.uniform(0.93, 1.08)
        if d.floor_min(healthy_new) <= t <= blip_min + d.MIN:
            return base * rng.uniform(1.2, 1.5)  # cold caches on the new tasks
        return base

    d.alb_metrics(
        ctx,
        lb_dim,
        tg_dim,
        points,
        rate,
        target_5xx=target_5xx,
        latency=latency,
        healthy=healthy,
        elb_5xx=elb_5xx,
    )
    sdims = {"ClusterName": cluster, "ServiceName": "storefront-web"}
    wdims = {"ClusterName": cluster, "ServiceName": "storefront-worker"}
    for t, _step in points:
        cpu = 31 * d.diurnal(t, peak, 0.45) * rng.uniform(0.92, 1.08)
        if d.floor_min(running_new) <= t <= blip_min:
            cpu *= 0.75  # averaged over twice the tasks, new ones mostly idle
        ctx.put("AWS/ECS", "CPUUtilization", sdims, t, "Percent", round(cpu, 2))
        mem = 38 + rng.uniform(-1.2, 1.2) - (9 if blip_min < t <= blip_min + timedelta(minutes=10) else 0)
        ctx.put("AWS/ECS", "MemoryUtilization", sdims, t, "Percent", round(mem, 2))
        ctx.put("AWS/ECS", "CPUUtilization", wdims, t, "Percent", round(rng.uniform(8, 15), 2))
        ctx.put("AWS/ECS", "MemoryUtilization", wdims, t, "Percent", round(rng.uniform(44, 49), 2))

    # --- alarms ---------------------------------------------------------------------------------
    ctx.alarm(
        "shop-web-elb-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_ELB_5XX_Count",
        dims=lb_dim,
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        threshold=5,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Load balancer generated 5xx on shop-web",
        actions=[topic_arn],
        ok_actions=[topic_arn],
    )
    ctx.alarm(
        "storefront-web-target-5xx",
        namespace="AWS/ApplicationELB",
        metric="HTTPCode_Target_5XX_Count",
        dims={**lb_dim, "TargetGroup": tg_dim},
        statistic="Sum",
        period=60,
        evaluation_periods=3,
        threshold=25,
        comparison="GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        actions=[topic_arn],
    )
    ctx.alarm(
        "storefront-web-latency",
        namespace="AWS/ApplicationELB",
        metric="TargetResponseTime",
        dims={**lb_dim, "TargetGroup": tg_dim},
        statistic="Average",
        period=60,
        evaluation_periods=5,
        threshold=0.5,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.alarm(
        "storefront-web-unhealthy-hosts",
        namespace="AWS/ApplicationELB",
        metric="UnHealthyHostCount",
        dims={**lb_dim, "TargetGroup": tg_dim},
        statistic="Maximum",
        period=60,
        evaluation_periods=3,
        threshold=0,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.alarm(
        "storefront-web-cpu-high",
        namespace="AWS/ECS",
        metric="CPUUtilization",
        dims=sdims,
        statistic="Average",
        period=300,
        evaluation_periods=3,
        threshold=80,
        comparison="GreaterThanThreshold",
        actions=[topic_arn],
    )
    ctx.evaluate_alarms(fine_from, now, since=start)

    # --- ECS events and target health -----------------------------------------------------------
    svc_arn = str(svc["serviceArn"])

    def tids(ts: list[d.J]) -> str:
        return " ".join(f"(task {d.task_id(x)})" for x in ts)

    t_ev = prev_deploy + timedelta(minutes=6)
    while t_ev < deploy:
        ctx.event(
            "ecs",
            {
                "service_arn": svc_arn,
                "event": {
                    "id": ctx.uuid(),
                    "createdAt": d.iso(t_ev),
                    "message": "(service storefront-web) has reached a steady state.",
                },
            },
        )
        t_ev += timedelta(hours=6, seconds=rng.randrange(0, 30))
    for at, msg in [
        (started_new, f"(service storefront-web) has started {desired} tasks: {tids(new_tasks)}."),
        (registered, f"(service storefront-web) registered {desired} targets in (target-group {tg_arn})"),
        (draining, f"(service storefront-web) has begun draining connections on {desired} tasks."),
        (
            draining + timedelta(seconds=1),
            f"(service storefront-web) deregistered {desired} targets in (target-group {tg_arn})",
        ),
        (
            stopped_old + timedelta(seconds=5),
            f"(service storefront-web) has stopped {desired} running tasks: {tids(old_tasks)}.",
        ),
        (steady, "(service storefront-web) has reached a steady state."),
        (
            steady + timedelta(seconds=1),
            f"(service storefront-web) (deployment {dep_id}) deployment completed.",
        ),
    ]:
        ctx.event(
            "ecs",
            {"service_arn": svc_arn, "event": {"id": ctx.uuid(), "createdAt": d.iso(at), "message": msg}},
        )
    for task in old_tasks:
        target = {"Id": d.task_ip(task), "Port": 3000, "AvailabilityZone": task["availabilityZone"]}
        first = datetime.fromisoformat(str(task["startedAt"]).replace("Z", "+00:00"))
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": target,
                "health": {"State": "healthy"},
                "timestamp": d.iso(first + timedelta(seconds=45)),
            },
        )
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": target,
                "health": {
                    "State": "draining",
                    "Reason": "Target.DeregistrationInProgress",
                    "Description": "Target deregistration is in progress",
                },
                "timestamp": d.iso(draining + timedelta(seconds=1)),
            },
        )
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": target,
                "health": {
                    "State": "unused",
                    "Reason": "Target.NotRegistered",
                    "Description": "Target is not registered to the target group",
                },
                "timestamp": d.iso(stopped_old + timedelta(seconds=2)),
            },
        )
    for task in new_tasks:
        target = {"Id": d.task_ip(task), "Port": 3000, "AvailabilityZone": task["availabilityZone"]}
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": target,
                "health": {
                    "State": "initial",
                    "Reason": "Elb.RegistrationInProgress",
                    "Description": "Target registration is in progress",
                },
                "timestamp": d.iso(registered),
            },
        )
        ctx.event(
            "target_health",
            {
                "target_group_arn": tg_arn,
                "target": target,
                "health": {"State": "healthy"},
                "timestamp": d.iso(healthy_new + timedelta(seconds=rng.uniform(0, 8))),
            },
        )

    # --- logs -----------------------------------------------------------------------------------
    log_from = d.floor_min(deploy) - timedelta(minutes=60)
    paths = ["/", "/c/{cat}", "/p/{sku}", "/p/{sku}", "/api/cart", "/api/cart/items", "/checkout", "/search"]

    def req_line(at: datetime, status: int, ms_: int) -> str:
        path = (
            rng.choice(paths)
            .replace("{cat}", rng.choice(["sofas", "lighting", "rugs", "outdoor"]))
            .replace("{sku}", f"SKU-{rng.randrange(10000, 99999)}")
        )
        return g.node_json(
            at,
            "info",
            "request completed",
            req={
                "method": "GET" if not path.startswith("/api") else rng.choice(["GET", "POST"]),
                "url": path,
            },
            res={"statusCode": status},
            responseTime=ms_,
            reqId=f"req-{ctx.alnum(6)}",
        )

    def stream(task: d.J) -> str:
        return f"ecs/storefront-web/{d.task_id(task)}"

    for task in old_tasks:
        s = stream(task)
        for t in g.minutes(log_from, d.floor_min(stopped_old) + d.MIN):
            for _ in range(rng.randrange(1, 3)):
                at = t + timedelta(milliseconds=rng.randrange(0, 59000))
                if at >= draining:
                    break
                ctx.log(
                    "/ecs/storefront-web",
                    s,
                    at,
                    req_line(at, 200 if rng.random() > 0.01 else 404, rng.randrange(20, 240)),
                )
            if rng.random() < 0.01:
                at = t + timedelta(seconds=rng.randrange(0, 59))
                if at < draining:
                    ctx.log(
                        "/ecs/storefront-web",
                        s,
                        at,
                        g.node_json(
                            at,
                            "warn",
                            "upstream recommendations slow",
                            upstream="reco-svc",
                            ms=rng.randrange(800, 1900),
                        ),
                    )
        # slow requests still in flight on the draining target (exports, checkout)
        for _ in range(rng.randrange(0, 3)):
            at = draining + timedelta(seconds=rng.uniform(0.2, 3))
            ctx.log("/ecs/storefront-web", s, at, req_line(at, 200, rng.randrange(60, 300)))
        sig = stopped_old + timedelta(milliseconds=rng.randrange(50, 900))
        ctx.log("/ecs/storefront-web", s, sig, g.node_json(sig, "info", "received SIGTERM, closing server"))
        open_c = rng.randrange(1, 5)
        ex = sig + timedelta(seconds=5)
        ctx.log(
            "/ecs/storefront-web",
            s,
            ex,
            g.node_json(
                ex, "warn", f"graceful shutdown timed out, forcing exit with {open_c} open connections"
            ),
        )
    for task in new_tasks:
        s = stream(task)
        st = datetime.fromisoformat(str(task["startedAt"]).replace("Z", "+00:00"))
        ctx.log(
            "/ecs/storefront-web",
            s,
            st + timedelta(seconds=1.2),
            g.node_json(
                st + timedelta(seconds=1.2), "info", "config loaded", env="production", release=sha_new
            ),
        )
        ctx.log(
            "/ecs/storefront-web",
            s,
            st + timedelta(seconds=2.9),
            g.node_json(
                st + timedelta(seconds=2.9),
                "info",
                "catalog cache warmed",
                entries=rng.randrange(18000, 26000),
            ),
        )
        ctx.log(
            "/ecs/storefront-web",
            s,
            st + timedelta(seconds=3.1),
            g.node_json(st + timedelta(seconds=3.1), "info", "server listening", port=3000),
        )
        for t in g.minutes(d.floor_min(healthy_new), now):
            for _ in range(rng.randrange(1, 3)):
                at = t + timedelta(milliseconds=rng.randrange(0, 59000))
                if at < healthy_new:
                    continue
                ctx.log(
                    "/ecs/storefront-web",
                    s,
                    at,
                    req_line(at, 200 if rng.random() > 0.01 else 404, rng.randrange(20, 260)),
                )
            if rng.random() < 0.01:
                at = t + timedelta(seconds=rng.randrange(0, 59))
                ctx.log(
                    "/ecs/storefront-web",
                    s,
                    at,
                    g.node_json(
                        at,
                        "warn",
                        "upstream recommendations slow",
                        upstream="reco-svc",
                        ms=rng.randrange(800, 1900),
                    ),
                )
    for task in worker_tasks:
        s = f"ecs/storefront-worker/{d.task_id(task)}"
        t = log_from + timedelta(seconds=rng.randrange(0, 120))
        while t < now:
            ctx.log(
                "/ecs/storefront-worker",
                s,
                t,
                g.node_json(
                    t,
                    "info",
                    "job done",
                    queue="emails",
                    job=rng.choice(["order-confirmation", "abandoned-cart", "review-request"]),
                    ms=rng.randrange(80, 900),
                ),
            )
            t += timedelta(seconds=rng.randrange(40, 160))

    # --- CloudTrail ------------------------------------------------------------------------------
    ci = g.github_ci(ctx, "gha-deploy-storefront", "larchhome/storefront")
    ci.ua = ci.ua.replace("lambda.update-function-code", "ecs.update-service")
    dev = d.sso_user(
        ctx,
        "noah.fischer@larchhome.com",
        "Developer",
        ip=f"84.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
        console=True,
    )
    ops = d.sso_user(
        ctx,
        "ines.moreau@larchhome.com",
        "PlatformAdmin",
        ip=f"91.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}.{rng.randrange(2, 250)}",
    )
    d.background_trail(ctx, start, now, 34, [dev, ops])
    d.ct(
        ctx,
        deploy - timedelta(seconds=rng.randrange(40, 80)),
        ci,
        "ecr.amazonaws.com",
        "PutImage",
        params={"repositoryName": "storefront-web", "imageTag": sha_new, "registryId": ctx.account},
        response={
            "image": {
                "registryId": ctx.account,
                "repositoryName": "storefront-web",
                "imageId": {"imageDigest": f"sha256:{ctx.hex(64)}", "imageTag": sha_new},
            }
        },
    )
    d.ct(
        ctx,
        deploy - timedelta(seconds=rng.randrange(12, 25)),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        params={
            "family": "storefront-web",
            "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/storefront-web-task",
            "executionRoleArn": f"arn:aws:iam::{ctx.account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "containerDefinitions": [
                {
                    "name": "storefront-web",
                    "image": f"{repo}:{sha_new}",
                    "essential": True,
                    "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
                }
            ],
        },
        response={
            "taskDefinition": {
                "taskDefinitionArn": td_new,
                "family": "storefront-web",
                "revision": rev + 1,
                "status": "ACTIVE",
            }
        },
    )
    d.ct(
        ctx,
        deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        params={
            "cluster": cluster,
            "service": "storefront-web",
            "taskDefinition": td_new,
            "forceNewDeployment": False,
        },
        response={
            "service": {
                "serviceArn": svc_arn,
                "serviceName": "storefront-web",
                "taskDefinition": td_new,
                "desiredCount": desired,
                "status": "ACTIVE",
            }
        },
    )
    for k in range(4):
        d.ct(
            ctx,
            deploy + timedelta(seconds=30 + k * 60 + rng.randrange(0, 15)),
            ci,
            "ecs.amazonaws.com",
            "DescribeServices",
            params={"cluster": cluster, "services": ["storefront-web"], "include": []},
            read_only=True,
        )
    ecs_svc = d.service_principal("ecs.amazonaws.com")
    d.ct(
        ctx,
        registered - timedelta(seconds=1),
        ecs_svc,
        "elasticloadbalancing.amazonaws.com",
        "RegisterTargets",
        params={"targetGroupArn": tg_arn, "targets": [{"id": d.task_ip(x), "port": 3000} for x in new_tasks]},
    )
    d.ct(
        ctx,
        draining,
        ecs_svc,
        "elasticloadbalancing.amazonaws.com",
        "DeregisterTargets",
        params={"targetGroupArn": tg_arn, "targets": [{"id": d.task_ip(x), "port": 3000} for x in old_tasks]},
    )
    # other changes around the deploy
    flag_t = deploy - timedelta(minutes=rng.randrange(14, 24), seconds=rng.randrange(60))
    d.ct(
        ctx,
        flag_t,
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        params={"name": "/storefront/flags/sofa-configurator", "type": "String", "overwrite": True},
        response={"version": rng.randrange(3, 30), "tier": "Standard"},
    )
    d.ct(
        ctx,
        deploy + timedelta(minutes=rng.randrange(6, 14)),
        ops,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        params={
            "alarmName": "storefront-web-cpu-high",
            "metricName": "CPUUtilization",
            "namespace": "AWS/ECS",
            "statistic": "Average",
            "period": 300,
            "evaluationPeriods": 3,
            "threshold": 80.0,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [topic_arn],
        },
    )
    d.ct(
        ctx,
        start + timedelta(minutes=rng.randrange(20, 90)),
        ops,
        "ecr.amazonaws.com",
        "PutLifecyclePolicy",
        params={"repositoryName": "storefront-web", "registryId": ctx.account},
    )
    d.ct(
        ctx,
        deploy + timedelta(minutes=3, seconds=rng.randrange(0, 50)),
        dev,
        "logs.amazonaws.com",
        "StartQuery",
        params={
            "logGroupName": "/ecs/storefront-web",
            "queryString": "fields @timestamp, msg | filter level >= 40 | sort @timestamp desc",
        },
        read_only=True,
    )

    alarm_event = ctx.alarm_event("shop-web-elb-5xx")
    prev_t = datetime.fromisoformat(
        alarm_event["detail"]["previousState"]["timestamp"].replace("+0000", "+00:00")
    )
    g.fix_previous_reason(
        alarm_event,
        g.ok_reason(5.0, 1, [(d.floor_min(prev_t) - 2 * d.MIN, 0.0)], "greater than or equal to"),
    )
    return ctx.bundle(
        title=TITLE,
        start=start,
        end=now,
        now=now,
        question=None,
        alarm_event=alarm_event,
        timezone=None,
        truth={"no_fault": True},
    )
