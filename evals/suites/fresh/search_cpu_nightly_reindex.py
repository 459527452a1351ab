"""No fault: search-svc's CPU alarm pages at night while the scheduled catalog reindex runs, as every night."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzq import ZONES, Ctx, alb, diurnal, iso, local, target_group

NAME = "search-cpu-nightly-reindex"
TITLE = "search-svc CPU alarm paged in the middle of the night; is search down?"
SUMMARY = (
    "The nightly catalog-reindex scheduled task bulk-loads search-svc at 01:00 local; CPU saturates, target "
    "tracking adds tasks and the CPU alarm fires and clears as it does most nights. Search stays healthy."
)

SERVICES = ["storefront-bff", "search-svc", "catalog-svc", "cart-svc", "reco-svc"]


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    zone = ZONES[ctx.region]
    tz = ZoneInfo(zone)
    lday = ctx.day.astimezone(tz)
    job = datetime(lday.year, lday.month, lday.day, 1, 0, r.randint(1, 9), tzinfo=tz).astimezone(UTC)
    job_len = timedelta(minutes=r.randint(23, 31), seconds=r.randint(0, 59))
    job_end = job + job_len
    start = (job - timedelta(minutes=r.randint(200, 225))).replace(second=0)
    now = (job_end + timedelta(minutes=r.randint(10, 13))).replace(second=0)
    created = start - timedelta(days=r.randint(300, 800))
    cluster = "hearthbox-prod"

    sg_pub, sg_int, sg_tasks = ("sg-" + ctx.hex(17) for _ in range(3))
    pub_arn, pub_dim = alb(ctx, "hearthbox-web", False, sg_pub, created)
    int_arn, int_dim = alb(ctx, "hearthbox-internal", True, sg_int, created)
    tgs = {
        "storefront-bff": target_group(ctx, "storefront-bff", pub_arn, 3000),
        "search-svc": target_group(ctx, "search-svc", int_arn),
        "catalog-svc": target_group(ctx, "catalog-svc", int_arn),
        "cart-svc": target_group(ctx, "cart-svc", int_arn),
    }
    scale_out = job + timedelta(minutes=5, seconds=r.randint(20, 50))
    counts = {"storefront-bff": 3, "search-svc": 5, "catalog-svc": 3, "cart-svc": 3, "reco-svc": 2}
    ctx.cluster(cluster, len(SERVICES), sum(counts.values()))
    cart_deploy = job - timedelta(minutes=r.randint(130, 170))
    revs = {s: r.randint(30, 400) for s in SERVICES}
    svc_arn: dict[str, str] = {}
    td: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    for s in SERVICES:
        deployed = (
            cart_deploy
            if s == "cart-svc"
            else start - timedelta(days=r.randint(1, 10), minutes=r.randint(0, 900))
        )
        env = {"AWS_XRAY_DAEMON_ADDRESS": "localhost:2000", "SPRING_PROFILES_ACTIVE": "prod"}
        if s == "search-svc":
            env |= {
                "OPENSEARCH_ENDPOINT": "https://vpc-hearthbox-search-"
                + ctx.hex(26)
                + f".{ctx.region}.es.amazonaws"
                ".com",
                "INDEX_ALIAS": "products",
            }
        tg = tgs.get(s)
        svc_arn[s], td[s], tasks[s] = ctx.service(
            cluster,
            s,
            revs[s],
            counts[s],
            sg_tasks,
            created,
            deployed,
            f"{deployed:%Y%m%d}.{r.randint(1, 9)}",
            env,
            port=3000 if s == "storefront-bff" else 8080,
            tg_arn=tg[0] if tg else None,
        )
        for i, tid in enumerate(tasks[s]):
            started = deployed + timedelta(seconds=40 + 20 * i)
            if s == "search-svc" and i >= 3:
                started = scale_out + timedelta(seconds=70 + 10 * i)
            ctx.task(cluster, s, td[s], tid, i % 3, ctx.ip(i % 3), started)
    # the scheduled task: its task definition and tonight's (stopped) task
    rt_rev = r.randint(10, 60)
    rt_td = ctx.arn("ecs", f"task-definition/catalog-reindex:{rt_rev}")
    ctx.resource(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": rt_td,
            "containerDefinitions": [
                {
                    "name": "catalog-reindex",
                    "image": f"{ctx.account}.dkr.ecr.{ctx.region}.amazonaws.com/catalog-reindex:{r.randint(100, 300)}",
                    "essential": True,
                    "command": [
                        "python",
                        "-m",
                        "reindex",
                        "--target",
                        "http://search.internal.hearthbox.shop/internal/bulk-index",
                        "--concurrency",
                        "16",
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": "/ecs/catalog-reindex",
                            "awslogs-region": ctx.region,
                            "awslogs-stream-prefix": "ecs",
                        },
                    },
                }
            ],
            "family": "catalog-reindex",
            "taskRoleArn": f"arn:aws:iam::{ctx.account}:role/catalog-reindex-task",
            "executionRoleArn": f"arn:aws:iam::{ctx.account}:role/ecsTaskExecutionRole",
            "networkMode": "awsvpc",
            "revision": rt_rev,
            "status": "ACTIVE",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
            "registeredAt": iso(start - timedelta(days=r.randint(20, 90))),
        },
    )
    rt_task = ctx.hex(32)
    ctx.task(
        cluster,
        "catalog-reindex",
        rt_td,
        rt_task,
        1,
        ctx.ip(1),
        job + timedelta(seconds=45),
        last_status="STOPPED",
        stopped=job_end + timedelta(seconds=25),
        exit_code=0,
        stopped_reason="Essential container in task exited",
        cpu="1024",
        memory="2048",
    )
    ctx.resource(
        "ecs",
        "Task",
        {
            **ctx.records["resources"][-1]["item"],
            "group": "family:catalog-reindex",
            "startedBy": "chronos-" + ctx.hex(8),
        },
    )
    ctx.records["resources"].pop(-2)
    ctx.resource(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/search-svc",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 3,
            "MaxCapacity": 10,
            "RoleARN": f"arn:aws:iam::{ctx.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
            "AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    hi_alarm = f"TargetTracking-service/{cluster}/search-svc-AlarmHigh-{ctx.uuid()}"
    lo_alarm = f"TargetTracking-service/{cluster}/search-svc-AlarmLow-{ctx.uuid()}"
    policy_arn = ctx.arn(
        "autoscaling",
        f"scalingPolicy:{ctx.uuid()}:resource/ecs/service/{cluster}/search-svc:policyName/search-svc-cpu60",
    )
    ctx.resource(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": policy_arn,
            "PolicyName": "search-svc-cpu60",
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/search-svc",
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 60.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
            },
            "Alarms": [
                {"AlarmName": hi_alarm, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{hi_alarm}")},
                {"AlarmName": lo_alarm, "AlarmARN": ctx.arn("cloudwatch", f"alarm:{lo_alarm}")},
            ],
            "CreationTime": iso(created),
        },
    )
    ctx.event(
        "application_autoscaling",
        {
            "ActivityId": ctx.uuid(),
            "ServiceNamespace": "ecs",
            "ResourceId": f"service/{cluster}/search-svc",
            "ScalableDimension": "ecs:service:DesiredCount",
            "Description": "Setting desired count to 5.",
            "Cause": f"monitor alarm {hi_alarm} in state ALARM triggered policy search-svc-cpu60",
            "StartTime": iso(scale_out),
            "EndTime": iso(scale_out + timedelta(minutes=2, seconds=r.randint(0, 40))),
            "StatusCode": "Successful",
            "StatusMessage": "Successfully set desired count to 5. Change successfully fulfilled by ecs.",
        },
    )

    # --- CloudTrail ----------------------------------------------------------------------------------
    ctx.readonly_noise(start, now, cluster, SERVICES, r.randint(60, 80))
    sched = ctx.role_identity("eventbridge-scheduler-catalog-reindex", ctx.hex(32), job)
    ctx.ct(
        job,
        "ecs.amazonaws.com",
        "RunTask",
        sched,
        {
            "cluster": cluster,
            "taskDefinition": f"catalog-reindex:{rt_rev}",
            "count": 1,
            "launchType": "FARGATE",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": ctx.subnets,
                    "securityGroups": [sg_tasks],
                    "assignPublicIp": "DISABLED",
                }
            },
            "startedBy": "chronos-" + ctx.hex(8),
        },
        {
            "tasks": [
                {
                    "taskArn": ctx.arn("ecs", f"task/{cluster}/{rt_task}"),
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                    "group": "family:catalog-reindex",
                }
            ],
            "failures": [],
        },
        agent="scheduler.amazonaws.com",
        ip="scheduler.amazonaws.com",
    )
    aas = ctx.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ApplicationAutoScaling",
        scale_out,
        "application-autoscaling.amazonaws.com",
    )
    ctx.ct(
        scale_out,
        "ecs.amazonaws.com",
        "UpdateService",
        aas,
        {"cluster": cluster, "service": "search-svc", "desiredCount": 5},
        {
            "service": {
                "serviceArn": svc_arn["search-svc"],
                "serviceName": "search-svc",
                "desiredCount": 5,
                "status": "ACTIVE",
            }
        },
    )
    gha = "github-actions-deploy"
    ctx.ct(
        cart_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        ctx.role_identity(gha, "GitHubActions", cart_deploy),
        {"cluster": cluster, "service": "cart-svc", "taskDefinition": td["cart-svc"]},
        {
            "service": {
                "serviceArn": svc_arn["cart-svc"],
                "serviceName": "cart-svc",
                "taskDefinition": td["cart-svc"],
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    t = job - timedelta(minutes=r.randint(70, 110))
    ctx.ct(
        t,
        "monitoring.amazonaws.com",
        "PutDashboard",
        ctx.sso_identity("priya.natarajan", "Developer", t),
        {"dashboardName": "checkout-funnel"},
        None,
        agent="AWS Internal",
    )
    look = job + timedelta(minutes=r.randint(14, 20))
    who = ctx.sso_identity("ben.adeyemi", "ReadOnly", look)
    lookups: list[tuple[str, dict[str, Any]]] = [
        ("DescribeAlarms", {"alarmNames": ["search-svc-cpu-high"]}),
        ("DescribeAlarmHistory", {"alarmName": "search-svc-cpu-high", "historyItemType": "StateUpdate"}),
        ("DescribeServices", {"cluster": cluster, "services": ["search-svc"]}),
    ]
    for k, (name, params) in enumerate(lookups):
        src = "ecs.amazonaws.com" if name == "DescribeServices" else "monitoring.amazonaws.com"
        ctx.ct(look + timedelta(seconds=25 * k), src, name, who, params, None, True, "AWS Internal")

    # --- ECS events ----------------------------------------------------------------------------------
    for s in SERVICES:
        t = start + timedelta(minutes=r.randint(5, 300))
        while t < now:
            ctx.ecs_event(svc_arn[s], t, f"(service {s}) has reached a steady state.")
            t += timedelta(hours=6)
    ctx.ecs_event(
        svc_arn["search-svc"],
        scale_out + timedelta(seconds=8),
        f"(service search-svc) has started 2 tasks: (task {tasks['search-svc'][3]}) "
        f"(task {tasks['search-svc'][4]}).",
    )
    ctx.ecs_event(
        svc_arn["search-svc"],
        scale_out + timedelta(minutes=3),
        "(service search-svc) has reached a steady state.",
    )
    ctx.ecs_event(
        svc_arn["cart-svc"],
        cart_deploy + timedelta(minutes=5),
        f"(service cart-svc) (deployment ecs-svc/{r.randint(10**18, 10**19 - 1)}) deployment completed.",
    )

    # --- metrics -------------------------------------------------------------------------------------
    peak_utc = (datetime(lday.year, lday.month, lday.day, 20, 0, tzinfo=tz).astimezone(UTC)).hour

    def reqs(t: datetime) -> float:
        return max(35.0, diurnal(t, peak_utc, 520, 480)) * r.uniform(0.92, 1.08)

    running = job + timedelta(minutes=1)
    t = start
    while t <= now:
        n = reqs(t)
        indexing = running <= t < job_end
        joined = t >= scale_out + timedelta(minutes=2)
        sd = {"LoadBalancer": int_dim, "TargetGroup": tgs["search-svc"][1]}
        search_n = n * 0.4
        bulk = r.randint(170, 210) if indexing else 0
        ctx.metric("AWS/ApplicationELB", "RequestCount", sd, t, "Count", value=round(search_n + bulk))
        if r.random() < 0.07:
            ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", sd, t, "Count", value=1)
        lat = 0.045 * (1.6 if indexing else 1.0)
        vals = [lat * f for f in (0.5, 0.8, 1.0, 1.5, 2.5, 5.0)]
        cnt = [max(1.0, round(search_n * f)) for f in (0.15, 0.3, 0.3, 0.15, 0.08, 0.02)]
        if indexing:
            vals.append(round(r.uniform(0.7, 1.1), 3))
            cnt.append(float(bulk))
        ctx.metric("AWS/ApplicationELB", "TargetResponseTime", sd, t, "Seconds", values=vals, counts=cnt)
        hosts = 5 if joined else 3
        ctx.metric("AWS/ApplicationELB", "HealthyHostCount", sd, t, "Count", value=hosts)
        ctx.metric("AWS/ApplicationELB", "UnHealthyHostCount", sd, t, "Count", value=0)
        for s in ("catalog-svc", "cart-svc"):
            dd = {"LoadBalancer": int_dim, "TargetGroup": tgs[s][1]}
            m = n * (0.3 if s == "catalog-svc" else 0.15) + (
                bulk * 0.5 if s == "catalog-svc" and indexing else 0
            )
            ctx.metric("AWS/ApplicationELB", "RequestCount", dd, t, "Count", value=round(m))
            ctx.metric(
                "AWS/ApplicationELB",
                "TargetResponseTime",
                dd,
                t,
                "Seconds",
                values=[0.01, 0.02, 0.035, 0.06, 0.2],
                counts=[max(1.0, round(m * f)) for f in (0.2, 0.4, 0.25, 0.12, 0.03)],
            )
        bd = {"LoadBalancer": pub_dim, "TargetGroup": tgs["storefront-bff"][1]}
        ctx.metric("AWS/ApplicationELB", "RequestCount", bd, t, "Count", value=round(n))
        ctx.metric(
            "AWS/ApplicationELB", "RequestCount", {"LoadBalancer": pub_dim}, t, "Count", value=round(n)
        )
        if r.random() < 0.1:
            ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", bd, t, "Count", value=1)
        ctx.metric(
            "AWS/ApplicationELB",
            "TargetResponseTime",
            bd,
            t,
            "Seconds",
            values=[0.05, 0.08, 0.12, 0.2, 0.35, 0.8],
            counts=[max(1.0, round(n * f)) for f in (0.15, 0.3, 0.3, 0.15, 0.08, 0.02)],
        )
        for s in SERVICES:
            dims = {"ClusterName": cluster, "ServiceName": s}
            cpu: float = {
                "storefront-bff": 30,
                "search-svc": 26,
                "catalog-svc": 18,
                "cart-svc": 14,
                "reco-svc": 22,
            }[s]
            cpu *= n / 700
            if s == "search-svc" and indexing:
                ramp = min(1.0, (t - running).total_seconds() / 90)
                cpu = cpu + (r.uniform(84, 93) - cpu) * ramp
                if joined:
                    cpu = r.uniform(82.5, 89)
            if s == "catalog-svc" and indexing:
                cpu += 14
            if s == "cart-svc" and cart_deploy <= t < cart_deploy + timedelta(minutes=4):
                cpu *= 1.5
            ctx.metric(
                "AWS/ECS",
                "CPUUtilization",
                dims,
                t,
                "Percent",
                value=min(100.0, cpu * (1.0 if s == "search-svc" and indexing else r.uniform(0.95, 1.05))),
            )
            mem: float = {
                "storefront-bff": 36,
                "search-svc": 61,
                "catalog-svc": 48,
                "cart-svc": 42,
                "reco-svc": 70,
            }[s]
            ctx.metric("AWS/ECS", "MemoryUtilization", dims, t, "Percent", value=mem * r.uniform(0.98, 1.02))
            cnt_s = hosts if s == "search-svc" else counts[s]
            ctx.metric("ECS/ContainerInsights", "RunningTaskCount", dims, t, "Count", value=cnt_s)
        t += timedelta(minutes=1)

    # --- alarms --------------------------------------------------------------------------------------
    fire = job + timedelta(minutes=8, seconds=r.randint(20, 55))
    clear = job_end + timedelta(minutes=3, seconds=r.randint(5, 55))
    fr = (
        f"Threshold Crossed: 5 out of the last 5 datapoints [{r.uniform(81, 88):.4f} "
        f"({(fire - timedelta(minutes=1)):%d/%m/%y %H:%M:00}), ...] were greater than the threshold (80.0) "
        "(minimum 5 datapoints for OK -> ALARM transition)."
    )
    cr = (
        f"Threshold Crossed: 1 out of the last 5 datapoints [{r.uniform(8, 14):.4f} "
        f"({(clear - timedelta(minutes=1)):%d/%m/%y %H:%M:00})] was not greater than the threshold (80.0) "
        "(minimum 1 datapoint for ALARM -> OK transition)."
    )
    cpu_alarm = ctx.alarm(
        "search-svc-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "search-svc"},
        "Average",
        80,
        "GreaterThanThreshold",
        5,
        5,
        "OK",
        clear,
        cr,
        description="search-svc average CPU over 80% for 5 minutes",
    )
    for back in range(6, 0, -1):
        f = fire - timedelta(days=back, minutes=r.randint(-3, 4), seconds=r.randint(-40, 40))
        if back in (3,):
            continue  # one quiet night: a smaller catalog delta
        c = f + timedelta(minutes=r.randint(16, 24), seconds=r.randint(0, 59))
        ctx.history(
            "search-svc-cpu-high",
            f,
            "OK",
            "ALARM",
            fr.split(" [")[0] + " were greater than the threshold "
            "(80.0) (minimum 5 datapoints for OK -> ALARM transition).",
        )
        ctx.history(
            "search-svc-cpu-high",
            c,
            "ALARM",
            "OK",
            cr.split(" [")[0] + " was not greater than the "
            "threshold (80.0) (minimum 1 datapoint for ALARM -> OK transition).",
        )
    ctx.history("search-svc-cpu-high", fire, "OK", "ALARM", fr)
    ctx.history("search-svc-cpu-high", clear, "ALARM", "OK", cr)
    hi_fire = scale_out - timedelta(seconds=r.randint(15, 40))
    hr = "Threshold Crossed: 3 datapoints [88.1, 86.9, 74.2] were greater than the threshold (60.0)."
    ctx.alarm(
        hi_alarm,
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "search-svc"},
        "Average",
        60,
        "GreaterThanThreshold",
        3,
        3,
        "OK",
        job_end + timedelta(minutes=2),
        "Threshold Crossed: 1 datapoint [11.8] was not greater than the threshold (60.0).",
        description="DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy_arn + ".",
    )
    ctx.records["alarms"][-1]["AlarmActions"] = [policy_arn]
    ctx.records["alarms"][-1]["OKActions"] = []
    ctx.history(hi_alarm, hi_fire, "OK", "ALARM", hr)
    ctx.history(
        hi_alarm,
        job_end + timedelta(minutes=2),
        "ALARM",
        "OK",
        "Threshold Crossed: 1 datapoint [11.8] was not greater than the threshold (60.0).",
    )
    lo_ok = job + timedelta(minutes=3, seconds=r.randint(5, 40))
    lo_reason = (
        "Threshold Crossed: 1 out of the last 15 datapoints "
        f"[{r.uniform(60, 66):.4f} ({(lo_ok - timedelta(minutes=1)):%d/%m/%y %H:%M:00})] was not less than the "
        "threshold (54.0) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    ctx.history(lo_alarm, lo_ok, "ALARM", "OK", lo_reason)
    ctx.alarm(
        lo_alarm,
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": "search-svc"},
        "Average",
        54,
        "LessThanThreshold",
        15,
        15,
        "OK",
        lo_ok,
        lo_reason,
        description="DO NOT EDIT OR DELETE. For TargetTrackingScaling policy " + policy_arn + ".",
    )
    ctx.records["alarms"][-1]["AlarmActions"] = [policy_arn]
    ctx.records["alarms"][-1]["OKActions"] = []
    ctx.alarm(
        "search-svc-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": int_dim, "TargetGroup": tgs["search-svc"][1]},
        "p99",
        1.5,
        "GreaterThanThreshold",
        5,
        5,
        "OK",
        start - timedelta(days=6),
        "Threshold Crossed: 5 datapoints were not greater than the threshold (1.5).",
    )
    ctx.alarm(
        "storefront-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": pub_dim},
        "Sum",
        25,
        "GreaterThanThreshold",
        3,
        3,
        "OK",
        start - timedelta(days=9),
        "Threshold Crossed: 3 datapoints were not greater than the threshold (25.0).",
        missing="notBreaching",
    )

    # --- logs ----------------------------------------------------------------------------------------
    rs = f"ecs/catalog-reindex/{rt_task}"
    docs = r.randint(180_000, 260_000)
    ts = job + timedelta(seconds=58)
    ctx.log(
        "/ecs/catalog-reindex",
        rs,
        ts,
        f"{ts:%Y-%m-%d %H:%M:%S},000 INFO reindex: starting full reindex into "
        f"products_v{r.randint(40, 90)} (source=catalog-svc, concurrency=16, batch=500)",
    )
    t = ts + timedelta(seconds=60)
    done = 0
    while t < job_end:
        done = min(docs, done + docs // max(1, int(job_len.total_seconds() // 60)))
        ctx.log(
            "/ecs/catalog-reindex",
            rs,
            t,
            f"{t:%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d} INFO reindex: progress "
            f"{done}/{docs} docs, {r.uniform(130, 175):.0f} docs/s, retries=0",
        )
        if r.random() < 0.08:
            ctx.log(
                "/ecs/catalog-reindex",
                rs,
                t + timedelta(seconds=3),
                f"{t:%Y-%m-%d %H:%M:%S},{r.randint(0, 999):03d}"
                " WARNING reindex: bulk batch took 4.2s (search-svc slow), continuing",
            )
        t += timedelta(minutes=1)
    ctx.log(
        "/ecs/catalog-reindex",
        rs,
        job_end,
        f"{job_end:%Y-%m-%d %H:%M:%S},000 INFO reindex: alias products -> "
        f"products_v{r.randint(40, 90)} swapped; {docs} docs in {int(job_len.total_seconds() // 60)}m"
        f"{int(job_len.total_seconds() % 60)}s, 0 failed",
    )
    t = start
    while t <= now:
        for tid in tasks["search-svc"][:3]:
            if r.random() < 0.4:
                ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
                ctx.log(
                    "/ecs/search-svc",
                    f"ecs/search-svc/{tid}",
                    ts,
                    f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z  INFO 1 --- [search-svc] "
                    f"[nio-8080-exec-{r.randint(1, 50):>2}] c.h.search.web.SearchController         : "
                    f"q.len={r.randint(3, 24)} hits={r.randint(0, 900)} took={r.randint(12, 60)}ms",
                )
            if running <= t < job_end and r.random() < 0.6:
                ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
                ctx.log(
                    "/ecs/search-svc",
                    f"ecs/search-svc/{tid}",
                    ts,
                    f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z  INFO 1 --- [search-svc] "
                    f"[nio-8080-exec-{r.randint(1, 50):>2}] c.h.search.index.BulkIndexer            : "
                    f"bulk 500 docs -> products_v, {r.randint(600, 1100)}ms",
                )
        t += timedelta(minutes=1)
    for tid in tasks["search-svc"][3:]:
        ts = scale_out + timedelta(seconds=r.randint(70, 100))
        ctx.log(
            "/ecs/search-svc",
            f"ecs/search-svc/{tid}",
            ts,
            f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "Z  INFO 1 --- "
            "[search-svc] [           main] c.h.search.SearchApplication             : Started SearchApplication"
            f" in {r.uniform(15, 21):.3f} seconds (process running for 17.2)",
        )
    for tid in tasks["storefront-bff"]:
        t = start
        while t <= now:
            if r.random() < 0.3:
                ts = t + timedelta(seconds=r.randint(0, 59))
                line = {
                    "level": 30,
                    "time": int(ts.timestamp() * 1000),
                    "pid": 1,
                    "msg": "request completed",
                    "res": {"statusCode": 200},
                    "responseTime": r.randint(30, 250),
                }
                ctx.log(
                    "/ecs/storefront-bff",
                    f"ecs/storefront-bff/{tid}",
                    ts,
                    json.dumps(line, separators=(",", ":")),
                )
            t += timedelta(minutes=1)

    # --- traces --------------------------------------------------------------------------------------
    t = start
    host = "search.internal.hearthbox.shop"
    while t <= now:
        indexing = running <= t < job_end
        trace = ctx.trace_id(t)
        dur = r.uniform(0.02, 0.07) * (1.6 if indexing else 1.0)
        q = f"http://{host}/v1/search?q=" + r.choice(["lamp", "rug", "oak+table", "linen", "vase", "duvet"])
        sub = ctx.sub_http(t + timedelta(milliseconds=3), dur, host, "GET", q, 200)
        ctx.segment(
            "storefront-bff",
            t,
            dur + 0.01,
            "GET",
            "https://www.hearthbox.shop/api/search",
            200,
            r.choice(tasks["storefront-bff"]),
            [sub],
            trace_id=trace,
        )
        ctx.segment(
            "search-svc",
            t + timedelta(milliseconds=5),
            dur - 0.004,
            "GET",
            q,
            200,
            r.choice(tasks["search-svc"][: 5 if t > scale_out + timedelta(minutes=2) else 3]),
            [],
            trace_id=trace,
            parent=sub["id"],
        )
        t += timedelta(seconds=r.randint(60, 150))

    question = (
        f"Got paged for search-svc-cpu-high at {local(fire, zone)}. I'm not at a laptop yet - is search down "
        "for customers? Do I need to do anything or escalate?"
    )
    del cpu_alarm
    truth = {
        "no_fault": True,
        "root_cause": None,
        "also_accept": ["catalog-reindex"],
        "actions": [],
        "chain": ["catalog-reindex", "search-svc"],
    }
    return ctx.bundle(TITLE, start, now, {"question": question, "timezone": zone}, truth)
