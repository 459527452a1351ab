"""No fault: a new task-count alarm fires when orders-api's nightly scheduled scale-in runs, as it does every night."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzi import Kit, Svc, Topo, iso, perm

NAME = "orders-tasks-drop-at-night-new-alarm"
TITLE = "Paged late evening: orders-api running tasks dropped from 8 to 2, nobody deployed"
SUMMARY = (
    "A running-task alarm created that afternoon fires when the nightly Application Auto Scaling scheduled action "
    "lowers orders-api's capacity and target tracking scales in on low night traffic; nothing is broken."
)


def const(n: int) -> Callable[[datetime], int]:
    def f(_t: datetime) -> int:
        return n

    return f


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.rnd
    day = datetime(2026, r.choice([1, 2, 11, 12]), r.randint(2, 26), tzinfo=UTC)
    sched = day + timedelta(hours=21)  # 22:00 Europe/Madrid in winter
    start = sched - timedelta(hours=r.randint(3, 4), minutes=r.choice([0, 10, 20, 30]))
    day_n = r.choice([8, 10])
    svcs = [
        Svc("orders-api", day_n, r.randint(120, 180), nlb=True),
        Svc("catalog-svc", 6, r.randint(200, 260), nlb=True),
        Svc("cart-svc", 4, r.randint(40, 70), nlb=True),
        Svc("payments-svc", 4, r.randint(60, 90), nlb=True),
    ]
    topo = Topo(k, start, svcs)
    o, cat, cart, pay = svcs
    night_min, night_max = 2, 4
    step_in = sched + timedelta(minutes=r.randint(14, 19))

    def orders_tasks(t: datetime) -> int:
        if t < sched + timedelta(seconds=40):
            return day_n
        if t < step_in:
            return night_max
        return night_min

    def cat_tasks(t: datetime) -> int:
        return 6 if t < sched + timedelta(seconds=50) else 3

    now = step_in + timedelta(minutes=r.randint(28, 36))
    end = now + timedelta(minutes=5)

    topo.aurora()
    topo.secret(start - timedelta(days=r.randint(2, 28)))
    topo.endpoints({})
    cidr = f"10.{k.cidr_second}.0.0/16"
    topo.sg(
        topo.task_sg,
        "shop-prod-ecs-tasks",
        "Fargate tasks for shop-prod services",
        [perm(8080, group=topo.nlb_sg)],
    )
    topo.sg(topo.db_sg, "shop-prod-aurora", "Aurora MySQL", [perm(3306, group=topo.task_sg)])
    topo.sg(topo.nlb_sg, "shop-prod-int-nlb", "Internal NLB", [perm(8080, cidr=cidr)])
    role = f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"
    for s, lo, hi, nlo, nhi in [(o, day_n, 20, night_min, night_max), (cat, 6, 16, 3, 6)]:
        rid = f"service/shop-prod/{s.name}"
        k.res(
            "application-autoscaling",
            "ScalableTarget",
            {
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "MinCapacity": nlo,
                "MaxCapacity": nhi,
                "RoleARN": role,
                "CreationTime": iso(topo.created),
                "SuspendedState": {
                    "DynamicScalingInSuspended": False,
                    "DynamicScalingOutSuspended": False,
                    "ScheduledScalingSuspended": False,
                },
            },
        )
        for name, cron, mn, mx in [
            ("nightly-scale-in", "cron(0 22 * * ? *)", nlo, nhi),
            ("morning-scale-out", "cron(30 6 * * ? *)", lo, hi),
        ]:
            k.res(
                "application-autoscaling",
                "ScheduledAction",
                {
                    "ScheduledActionName": f"{s.name}-{name}",
                    "ScheduledActionARN": k.arn(
                        "autoscaling",
                        f"scheduledAction:{k.uid()}:resource/ecs/{rid}:scheduledActionName/{s.name}-{name}",
                    ),
                    "ServiceNamespace": "ecs",
                    "Schedule": cron,
                    "Timezone": "Europe/Madrid",
                    "ResourceId": rid,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "ScalableTargetAction": {"MinCapacity": mn, "MaxCapacity": mx},
                    "CreationTime": iso(topo.created + timedelta(days=40)),
                },
            )
        k.res(
            "application-autoscaling",
            "ScalingPolicy",
            {
                "PolicyARN": k.arn(
                    "autoscaling",
                    f"scalingPolicy:{k.uid()}:resource/ecs/{rid}:policyName/{s.name}-cpu-target",
                ),
                "PolicyName": f"{s.name}-cpu-target",
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 55.0,
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
                    },
                    "ScaleOutCooldown": 60,
                    "ScaleInCooldown": 300,
                },
                "CreationTime": iso(topo.created),
            },
        )
    o.desired = orders_tasks(now)
    cat.desired = cat_tasks(now)
    for s in svcs:
        k.res("ecs", "Service", topo.service_item(s))

    # --- scaling as it happened ---
    aas = k.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-UpdateService",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    rid_o, rid_c = "service/shop-prod/orders-api", "service/shop-prod/catalog-svc"

    def activity(t: datetime, rid: str, desc: str, cause: str, n: int) -> None:
        k.event(
            t,
            "application_autoscaling",
            {
                "ActivityId": k.uid(),
                "ServiceNamespace": "ecs",
                "ResourceId": rid,
                "ScalableDimension": "ecs:service:DesiredCount",
                "Description": desc,
                "Cause": cause,
                "StartTime": iso(t),
                "EndTime": iso(t + timedelta(seconds=31)),
                "StatusCode": "Successful",
                "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs."
                if n
                else "Successfully set min capacity and max capacity.",
            },
        )

    for rid, s, mn, mx in [(rid_o, o, night_min, night_max), (rid_c, cat, 3, 6)]:
        t0 = sched + timedelta(seconds=r.randint(2, 12))
        activity(
            t0,
            rid,
            f"Setting min capacity to {mn} and max capacity to {mx}",
            f"scheduled action name {s.name}-nightly-scale-in was triggered",
            0,
        )
        target = mx if s is o else 3
        activity(
            t0 + timedelta(seconds=5),
            rid,
            f"Setting desired count to {target}.",
            f"maximum capacity was set to {mx}",
            target,
        )
        k.trail(
            t0 + timedelta(seconds=6),
            "ecs.amazonaws.com",
            "UpdateService",
            aas,
            {"cluster": "shop-prod", "service": s.name, "desiredCount": target},
            {"service": {"serviceName": s.name, "desiredCount": target}},
        )
        was = day_n if s is o else 6
        ids = " ".join(f"(task {k.hexid(32)})" for _ in range(was - target))
        k.ecs_event(
            s.arn,
            t0 + timedelta(seconds=20),
            f"(service {s.name}) deregistered {was - target} targets in (target-group {s.tg_arn})",
        )
        k.ecs_event(
            s.arn,
            t0 + timedelta(seconds=330),
            f"(service {s.name}) has stopped {was - target} running tasks: {ids}.",
        )
        k.ecs_event(s.arn, t0 + timedelta(minutes=12), f"(service {s.name}) has reached a steady state.")
    alarm_lo = f"TargetTracking-{rid_o}-AlarmLow-{k.uid()}"
    activity(
        step_in,
        rid_o,
        f"Setting desired count to {night_min}.",
        f"monitor alarm {alarm_lo} in state ALARM triggered policy orders-api-cpu-target",
        night_min,
    )
    k.trail(
        step_in + timedelta(seconds=3),
        "ecs.amazonaws.com",
        "UpdateService",
        aas,
        {"cluster": "shop-prod", "service": "orders-api", "desiredCount": night_min},
        {"service": {"serviceName": "orders-api", "desiredCount": night_min}},
    )
    ids = " ".join(f"(task {k.hexid(32)})" for _ in range(night_max - night_min))
    k.ecs_event(
        o.arn,
        step_in + timedelta(seconds=15),
        f"(service orders-api) deregistered {night_max - night_min} targets in (target-group {o.tg_arn})",
    )
    k.ecs_event(
        o.arn,
        step_in + timedelta(seconds=320),
        f"(service orders-api) has stopped {night_max - night_min} running tasks: {ids}.",
    )
    k.ecs_event(o.arn, step_in + timedelta(minutes=11), "(service orders-api) has reached a steady state.")
    for i in range(r.randint(2, 3)):
        t = start + timedelta(hours=i + 1, minutes=r.randint(0, 50))
        k.ecs_event(o.arn, t, "(service orders-api) has reached a steady state.")

    # the alarm was created this afternoon by a new on-call engineer
    eng = k.human(r.choice(["d.romero", "c.vidal"]))
    created = start + timedelta(minutes=r.randint(35, 80))
    k.trail(
        created,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        eng,
        {
            "alarmName": "orders-api-running-tasks-low",
            "alarmDescription": "orders-api has fewer than 4 running tasks",
            "actionsEnabled": True,
            "alarmActions": [k.arn("sns", "shop-prod-oncall")],
            "oKActions": [k.arn("sns", "shop-prod-oncall")],
            "metricName": "RunningTaskCount",
            "namespace": "ECS/ContainerInsights",
            "statistic": "Minimum",
            "dimensions": [
                {"name": "ClusterName", "value": "shop-prod"},
                {"name": "ServiceName", "value": "orders-api"},
            ],
            "period": 60,
            "evaluationPeriods": 5,
            "datapointsToAlarm": 5,
            "threshold": 4.0,
            "comparisonOperator": "LessThanThreshold",
            "treatMissingData": "breaching",
        },
        None,
        agent="console.amazonaws.com",
    )
    k.trail(
        created + timedelta(minutes=4),
        "monitoring.amazonaws.com",
        "PutDashboard",
        eng,
        {"dashboardName": "orders-oncall"},
        {"dashboardValidationMessages": []},
        agent="console.amazonaws.com",
    )
    # nightly reconcile job started by EventBridge
    ev = k.role_identity("shop-prod-eventbridge-ecs", f"{k.hexid(32)}", invoked_by="events.amazonaws.com")
    job_t = sched - timedelta(minutes=60) + timedelta(seconds=r.randint(1, 20))
    job_id = k.hexid(32)
    k.trail(
        job_t,
        "ecs.amazonaws.com",
        "RunTask",
        ev,
        {
            "cluster": topo.cluster_arn,
            "taskDefinition": k.arn("ecs", "task-definition/reconcile-payments:31"),
            "count": 1,
            "launchType": "FARGATE",
            "startedBy": "events-rule/nightly-reconcile",
        },
        {
            "tasks": [
                {
                    "taskArn": k.arn("ecs", f"task/shop-prod/{job_id}"),
                    "lastStatus": "PROVISIONING",
                    "desiredStatus": "RUNNING",
                }
            ],
            "failures": [],
        },
    )
    for i in range(r.randint(2, 5)):
        k.log(
            "/ecs/shop-prod/reconcile-payments",
            f"reconcile-payments/reconcile/{job_id}",
            job_t + timedelta(seconds=60 + 90 * i),
            f"INFO reconcile: batch {i + 1} processed, {r.randint(300, 900)} payments matched, 0 mismatches",
        )
    k.log(
        "/ecs/shop-prod/reconcile-payments",
        f"reconcile-payments/reconcile/{job_id}",
        job_t + timedelta(minutes=9),
        "INFO reconcile: done, exit 0",
    )
    k.tooling_reads(
        start,
        now,
        r.randint(34, 44),
        [("application-autoscaling.amazonaws.com", "DescribeScalableTargets", {"serviceNamespace": "ecs"})],
    )

    # --- metrics ---
    def load(t: datetime) -> float:
        h = t.hour + t.minute / 60
        return max(0.18, 1.0 - max(0.0, h - 19.5) * 0.32)

    rate = {"orders-api": 30.0, "catalog-svc": 34.0, "cart-svc": 20.0, "payments-svc": 25.0}
    day_count = {"orders-api": day_n, "catalog-svc": 6, "cart-svc": cart.desired, "payments-svc": pay.desired}
    for s in svcs:
        dims = {"ClusterName": "shop-prod", "ServiceName": s.name}
        count = orders_tasks if s is o else cat_tasks if s is cat else const(s.desired)

        k.series(
            "ECS/ContainerInsights",
            "RunningTaskCount",
            dims,
            "Count",
            start,
            end,
            lambda t, f=count: float(
                f(t - timedelta(minutes=5)) if f(t) < f(t - timedelta(minutes=5)) else f(t)
            ),
            digits=0,
        )
        k.series(
            "ECS/ContainerInsights",
            "DesiredTaskCount",
            dims,
            "Count",
            start,
            end,
            lambda t, f=count: float(f(t)),
            digits=0,
        )
        k.series(
            "AWS/ECS",
            "CPUUtilization",
            dims,
            "Percent",
            start,
            end,
            lambda t, f=count, b=rate[s.name], n0=day_count[s.name]: k.noise(
                min(70.0, b * load(t) * n0 / f(t)), 0.08
            ),
        )
        k.series("AWS/ECS", "MemoryUtilization", dims, "Percent", start, end, lambda t: k.noise(44.0, 0.04))
        tgd = {"TargetGroup": s.tg_dim, "LoadBalancer": topo.nlb_dim}
        k.series(
            "AWS/NetworkELB",
            "HealthyHostCount",
            tgd,
            "Count",
            start,
            end,
            lambda t, f=count: float(f(t)),
            digits=0,
        )
        k.series("AWS/NetworkELB", "UnHealthyHostCount", tgd, "Count", start, end, lambda t: 0.0, digits=0)
    k.series(
        "AWS/NetworkELB",
        "ActiveFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(1300 * load(t), 0.06),
        digits=0,
    )
    k.series(
        "AWS/NetworkELB",
        "NewFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(4000 * load(t), 0.07),
        digits=0,
    )
    k.series(
        "AWS/NetworkELB",
        "TCP_Target_Reset_Count",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: float(r.randint(0, 3)),
        digits=0,
    )
    for ident, base in [(topo.writer, 28.0), (topo.reader, 12.0)]:
        k.series(
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": ident},
            "Percent",
            start,
            end,
            lambda t, b=base: k.noise(b * load(t) + 4, 0.08),
        )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": topo.writer},
        "Count",
        start,
        end,
        lambda t: float(10 * orders_tasks(t) + 10 * cat_tasks(t) + 80 + r.randint(0, 3)),
        digits=0,
    )

    # --- alarms ---
    pts = [
        m
        for m in k.metrics
        if m["metric"] == "RunningTaskCount" and m["dimensions"]["ServiceName"] == "orders-api"
    ]
    t_al = now - timedelta(minutes=5)
    reason = ""
    for i in range(4, len(pts)):
        w = pts[i - 4 : i + 1]
        if all(m["value"] < 4 for m in w):
            t_al = datetime.fromisoformat(w[-1]["timestamp"].replace("Z", "+00:00")) + timedelta(seconds=75)
            vv = ", ".join(
                f"{m['value']} ({m['timestamp'][8:10]}/{m['timestamp'][5:7]}/{m['timestamp'][2:4]} {m['timestamp'][11:19]})"
                for m in reversed(w)
            )
            reason = f"Threshold Crossed: 5 out of the last 5 datapoints [{vv}] were less than the threshold (4.0) (minimum 5 datapoints for OK -> ALARM transition)."
            break
    a = k.alarm(
        "orders-api-running-tasks-low",
        "ECS/ContainerInsights",
        "RunningTaskCount",
        {"ClusterName": "shop-prod", "ServiceName": "orders-api"},
        stat="Minimum",
        period=60,
        evals=5,
        threshold=4.0,
        op="LessThanThreshold",
        desc="orders-api has fewer than 4 running tasks",
        state="ALARM",
        reason=reason,
        updated=t_al,
        configured=created,
        missing="breaching",
    )
    t_ok = created + timedelta(seconds=r.randint(40, 70))
    ok_reason = "Threshold Crossed: 5 out of the last 5 datapoints were not less than the threshold (4.0) (minimum 5 datapoints for ALARM -> OK transition)."
    k.history.append(
        {
            "AlarmName": a["AlarmName"],
            "AlarmType": "MetricAlarm",
            "Timestamp": iso(created).replace("Z", ".000Z"),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": 'Alarm "orders-api-running-tasks-low" created',
        }
    )
    k.transition(a, t_ok, "INSUFFICIENT_DATA", "OK", ok_reason)
    k.transition(a, t_al, "OK", "ALARM", reason)
    k.alarm(
        "payments-svc-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": "shop-prod", "ServiceName": "payments-svc"},
        stat="Average",
        period=60,
        evals=5,
        threshold=75.0,
        op="GreaterThanThreshold",
        desc="payments-svc CPU",
        state="OK",
        reason="Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (75.0) (minimum 5 datapoints for ALARM -> OK transition).",
        updated=start - timedelta(days=5),
        configured=start - timedelta(days=150),
    )
    k.alarm(
        "shop-aurora-writer-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": topo.writer},
        stat="Average",
        period=300,
        evals=3,
        threshold=80.0,
        op="GreaterThanThreshold",
        desc="Aurora writer CPU",
        state="OK",
        reason="Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        updated=start - timedelta(days=8),
        configured=start - timedelta(days=200),
    )

    # --- orders-api logs: healthy traffic, graceful shutdowns of scaled-in tasks ---
    streams = [f"orders-api/orders-api/{k.hexid(32)}" for _ in range(day_n)]
    t = start
    while t < now:
        alive = streams[: orders_tasks(t)]
        st = r.choice(alive)
        ts = t + timedelta(seconds=r.uniform(0, 50))
        code = r.choices([200, 201, 404, 500], [70, 25, 4, 0.4])[0]
        k.log(
            "/ecs/shop-prod/orders-api",
            st,
            ts,
            f"{iso(ts)[:-1]}.{r.randint(100, 999)}Z  INFO 1 --- [orders-api] [nio-8080-exec-{r.randint(1, 40)}] c.s.orders.web.RequestLogFilter : GET /v1/orders/{r.randint(10000, 99999)} {code} {r.randint(6, 70)}ms",
        )
        t += timedelta(seconds=75)
    for lo, hi, when in [
        (night_max, day_n, sched + timedelta(seconds=330)),
        (night_min, night_max, step_in + timedelta(seconds=320)),
    ]:
        for st in streams[lo:hi]:
            ts = when - timedelta(seconds=r.randint(25, 29))
            k.log(
                "/ecs/shop-prod/orders-api",
                st,
                ts,
                f"{iso(ts)[:-1]}.{r.randint(100, 999)}Z  INFO 1 --- [orders-api] [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown : Commencing graceful shutdown. Waiting for active requests to complete",
            )
            k.log(
                "/ecs/shop-prod/orders-api",
                st,
                ts + timedelta(seconds=1),
                f"{iso(ts)[:-1]}.{r.randint(100, 999)}Z  INFO 1 --- [orders-api] [tomcat-shutdown] o.s.b.w.e.tomcat.GracefulShutdown : Graceful shutdown complete",
            )

    local_al = (t_al + timedelta(hours=1)).strftime("%H:%M")
    question = (
        f"got paged at {local_al} - orders-api running tasks went from {day_n} to 2?? nobody deployed anything "
        "tonight. are the tasks crashing? should I force it back up to 8?"
    )
    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=question,
        timezone="Europe/Madrid",
        alarm_event=k.alarm_event(a, t_al, t_ok, reason, ok_reason),
        truth={"no_fault": True, "root_cause": None, "also_accept": [], "actions": [], "chain": []},
    )
