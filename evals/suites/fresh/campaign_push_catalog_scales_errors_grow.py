"""A campaign push scales catalog-svc out until every service's connection pools exceed Aurora's max_connections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzzzi import Kit, Svc, Topo, iso, perm, task_def

NAME = "campaign-push-catalog-scales-errors-grow"
TITLE = "Errors everywhere after the evening campaign push; catalog keeps adding tasks and it only gets worse"
SUMMARY = (
    "Target tracking scaled catalog-svc from a handful of tasks to twenty-odd, each holding a 40-connection pool; "
    "the Aurora writer hit its max_connections ceiling and new connections from every service were refused."
)

POOLS = {"catalog-svc": 40, "orders-api": 30, "cart-svc": 20, "checkout-api": 20}


def build(seed: int) -> Bundle:
    k = Kit(seed, NAME)
    r = k.rnd
    day = datetime(2026, r.choice([1, 2, 11, 12]), r.randint(2, 26), tzinfo=UTC)
    push = day + timedelta(hours=17, minutes=r.choice([58, 59, 60, 61, 62]))
    start = (push - timedelta(hours=3, minutes=r.randint(5, 25))).replace(second=0)
    max_conn = 1000
    svcs = [
        Svc("catalog-svc", 6, r.randint(200, 260), nlb=True),
        Svc("orders-api", r.choice([5, 6]), r.randint(120, 180), nlb=True),
        Svc("cart-svc", 4, r.randint(40, 70), nlb=True),
        Svc("checkout-api", r.choice([5, 6]), r.randint(300, 400), nlb=True),
    ]
    topo = Topo(k, start, svcs)
    cat, orders, cart, _co = svcs
    other = sum(POOLS[s.name] * s.desired for s in svcs[1:])
    step = timedelta(minutes=r.choice([2, 3]))
    max_tasks = 24
    base_cat = cat.desired

    def cat_tasks(t: datetime) -> int:
        if t < push + timedelta(minutes=4):
            return base_cat
        return min(max_tasks, base_cat + 2 * (1 + int((t - push - timedelta(minutes=4)) / step)))

    def demand(t: datetime) -> int:
        return other + POOLS["catalog-svc"] * cat_tasks(t)

    t = push
    while demand(t) <= max_conn - 8:
        t += timedelta(minutes=1)
    onset = t
    now = onset + timedelta(minutes=r.randint(36, 48))
    end = now + timedelta(minutes=5)

    topo.aurora("db.r6g.large")
    topo.secret(start - timedelta(days=r.randint(4, 26)))
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
    k.res(
        "rds",
        "DBParameter",
        {
            "DBParameterGroupName": "default.aurora-mysql8.0",
            "ParameterName": "max_connections",
            "ParameterValue": "GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000})",
            "Description": "The number of simultaneous client connections allowed.",
            "Source": "system",
            "ApplyType": "dynamic",
            "DataType": "integer",
            "AllowedValues": "1-100000",
            "IsModifiable": True,
            "ApplyMethod": "pending-reboot",
        },
    )
    for s in svcs:
        env = [
            {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
            {
                "name": "SPRING_DATASOURCE_URL",
                "value": f"jdbc:mysql://{topo.db_cluster}.cluster-internal:3306/shop",
            },
            {"name": "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "value": str(POOLS[s.name])},
        ]
        k.res(
            "ecs",
            "TaskDefinition",
            task_def(
                k,
                topo,
                s,
                s.rev,
                f"2026.{r.randint(100, 299)}.{r.randint(1, 9)}",
                start - timedelta(days=r.randint(1, 12)),
                env,
            ),
        )
    final = cat_tasks(now)
    cat_desired = final
    rid = "service/shop-prod/catalog-svc"
    k.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": 6,
            "MaxCapacity": max_tasks,
            "RoleARN": f"arn:aws:iam::{k.account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService",
            "CreationTime": iso(topo.created),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    k.res(
        "application-autoscaling",
        "ScalingPolicy",
        {
            "PolicyARN": k.arn(
                "autoscaling", f"scalingPolicy:{k.uid()}:resource/ecs/{rid}:policyName/catalog-cpu-target"
            ),
            "PolicyName": "catalog-cpu-target",
            "ServiceNamespace": "ecs",
            "ResourceId": rid,
            "ScalableDimension": "ecs:service:DesiredCount",
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": 50.0,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
            },
            "CreationTime": iso(topo.created),
        },
    )
    cat.desired = cat_desired
    for s in svcs:
        k.res("ecs", "Service", topo.service_item(s))

    # --- CloudTrail ---
    aas = k.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AutoScaling-UpdateService",
        invoked_by="application-autoscaling.amazonaws.com",
    )
    alarm_hi = f"TargetTracking-{rid}-AlarmHigh-{k.uid()}"
    prev = 6
    t = push
    while t < now:
        n = cat_tasks(t)
        if n != prev:
            k.trail(
                t,
                "ecs.amazonaws.com",
                "UpdateService",
                aas,
                {"cluster": "shop-prod", "service": "catalog-svc", "desiredCount": n},
                {"service": {"serviceName": "catalog-svc", "desiredCount": n}},
            )
            k.event(
                t,
                "application_autoscaling",
                {
                    "ActivityId": k.uid(),
                    "ServiceNamespace": "ecs",
                    "ResourceId": rid,
                    "ScalableDimension": "ecs:service:DesiredCount",
                    "Description": f"Setting desired count to {n}.",
                    "Cause": f"monitor alarm {alarm_hi} in state ALARM triggered policy catalog-cpu-target",
                    "StartTime": iso(t),
                    "EndTime": iso(t + timedelta(seconds=33)),
                    "StatusCode": "Successful",
                    "StatusMessage": f"Successfully set desired count to {n}. Change successfully fulfilled by ecs.",
                },
            )
            ids = " ".join(f"(task {k.hexid(32)})" for _ in range(n - prev))
            k.ecs_event(
                cat.arn,
                t + timedelta(seconds=20),
                f"(service catalog-svc) has started {n - prev} tasks: {ids}.",
            )
            k.ecs_event(
                cat.arn,
                t + timedelta(seconds=95),
                f"(service catalog-svc) registered {n - prev} targets in (target-group {cat.tg_arn})",
            )
            prev = n
        t += timedelta(minutes=1)
    eng = k.human(r.choice(["p.silva", "h.andersen"]))
    pchange = push - timedelta(minutes=r.randint(40, 65))
    k.trail(
        pchange,
        "rds.amazonaws.com",
        "ModifyDBClusterParameterGroup",
        eng,
        {
            "dBClusterParameterGroupName": "shop-aurora-mysql80",
            "parameters": [
                {"parameterName": "long_query_time", "parameterValue": "1", "applyMethod": "immediate"}
            ],
        },
        {"dBClusterParameterGroupName": "shop-aurora-mysql80"},
    )
    k.event(
        pchange + timedelta(seconds=20),
        "rds",
        {
            "SourceIdentifier": "shop-aurora-mysql80",
            "SourceType": "db-cluster-parameter-group",
            "Message": "Updated parameter long_query_time to 1 with apply method immediate",
            "EventCategories": ["configuration change"],
            "Date": iso(pchange + timedelta(seconds=20)),
            "SourceArn": k.arn("rds", "cluster-pg:shop-aurora-mysql80"),
        },
    )
    mk = k.role_identity("marketing-automation", "braze-sync")
    for i in range(3):
        k.trail(
            push - timedelta(minutes=30 - i * 9),
            "s3.amazonaws.com",
            "ListBuckets",
            mk,
            {"Host": "s3.amazonaws.com"},
            None,
            read_only=True,
            agent="Braze/1.0",
            ip="34.210.4.77",
        )
    ci = k.role_identity("github-actions-deploy", "GitHubActions")
    k.trail(
        start + timedelta(minutes=r.randint(40, 100)),
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {
            "cluster": "shop-prod",
            "service": "cart-svc",
            "taskDefinition": f"cart-svc:{cart.rev}",
            "forceNewDeployment": False,
        },
        {"service": {"serviceName": "cart-svc", "desiredCount": cart.desired}},
        agent="aws-sdk-js/3.540.0",
        ip="20.84.101.17",
    )
    k.tooling_reads(
        start,
        now,
        r.randint(30, 40),
        [
            (
                "rds.amazonaws.com",
                "DescribeDBClusterParameters",
                {"dBClusterParameterGroupName": "shop-aurora-mysql80"},
            )
        ],
    )

    # --- metrics ---
    def traffic(t: datetime) -> float:
        base = Kit.diurnal(t, 20.0, 0.4)
        if t >= push:
            ramp = min(1.0, (t - push).total_seconds() / 900)
            base *= 1 + 1.6 * ramp
        return base

    def conns(t: datetime) -> float:
        d = demand(t)
        return float(min(d + r.randint(2, 5), max_conn - r.randint(0, 2)))

    w = {"DBInstanceIdentifier": topo.writer}
    k.series("AWS/RDS", "DatabaseConnections", w, "Count", start, end, conns, digits=0)
    k.series(
        "AWS/RDS",
        "ConnectionAttempts",
        w,
        "Count",
        start,
        end,
        lambda t: k.noise(6.0 if t < onset else 420.0, 0.25),
        digits=0,
    )
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        w,
        "Percent",
        start,
        end,
        lambda t: k.noise(min(68.0, 22.0 * traffic(t)), 0.07),
    )
    k.series(
        "AWS/RDS",
        "FreeableMemory",
        w,
        "Bytes",
        start,
        end,
        lambda t: k.noise(5.1e9 - 1.1e6 * conns(t), 0.01),
        digits=0,
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        {"DBInstanceIdentifier": topo.reader},
        "Count",
        start,
        end,
        lambda t: float(r.randint(3, 6)),
        digits=0,
    )
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        {"DBInstanceIdentifier": topo.reader},
        "Percent",
        start,
        end,
        lambda t: k.noise(6.0, 0.2),
    )
    k.series(
        "AWS/RDS",
        "DMLLatency",
        w,
        "Milliseconds",
        start,
        end,
        lambda t: k.noise(1.3 * traffic(t), 0.1),
        digits=3,
    )
    for s in svcs:
        dims = {"ClusterName": "shop-prod", "ServiceName": s.name}
        is_cat = s is cat
        k.series(
            "ECS/ContainerInsights",
            "RunningTaskCount",
            dims,
            "Count",
            start,
            end,
            lambda t, s=s, c=is_cat: float(cat_tasks(t - timedelta(minutes=1)) if c else s.desired),
            digits=0,
        )
        k.series(
            "ECS/ContainerInsights",
            "DesiredTaskCount",
            dims,
            "Count",
            start,
            end,
            lambda t, s=s, c=is_cat: float(cat_tasks(t) if c else s.desired),
            digits=0,
        )

        def cpu(t: datetime, s: Svc = s, c: bool = is_cat) -> float:
            if c:
                return k.noise(
                    min(85.0, 40.0 * traffic(t) * 6 / cat_tasks(t) * (1.6 if t >= push else 1)), 0.06
                )
            return k.noise(26.0 * traffic(t), 0.08)

        k.series("AWS/ECS", "CPUUtilization", dims, "Percent", start, end, cpu)
        k.series("AWS/ECS", "MemoryUtilization", dims, "Percent", start, end, lambda t: k.noise(57.0, 0.03))
        tgd = {"TargetGroup": s.tg_dim, "LoadBalancer": topo.nlb_dim}

        def healthy(t: datetime, s: Svc = s, c: bool = is_cat) -> float:
            if not c:
                return float(s.desired)
            n = cat_tasks(t - timedelta(minutes=2))
            if t >= onset:
                return float(min(n, 15 + r.randint(0, 1)))
            return float(n)

        k.series("AWS/NetworkELB", "HealthyHostCount", tgd, "Count", start, end, healthy, digits=0)
        k.series(
            "AWS/NetworkELB",
            "UnHealthyHostCount",
            tgd,
            "Count",
            start,
            end,
            lambda t, c=is_cat, h=healthy: (
                float(max(0, cat_tasks(t - timedelta(minutes=2)) - h(t))) if c else 0.0
            ),
            digits=0,
        )
    k.series(
        "AWS/NetworkELB",
        "ActiveFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(1500 * traffic(t), 0.05),
        digits=0,
    )
    k.series(
        "AWS/NetworkELB",
        "NewFlowCount",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: k.noise(4800 * traffic(t), 0.06),
        digits=0,
    )
    k.series(
        "AWS/NetworkELB",
        "TCP_Target_Reset_Count",
        {"LoadBalancer": topo.nlb_dim},
        "Count",
        start,
        end,
        lambda t: float(r.randint(0, 5)),
        digits=0,
    )

    # --- alarms ---
    unh_pts = [
        m
        for m in k.metrics
        if m["metric"] == "UnHealthyHostCount" and m["dimensions"]["TargetGroup"] == cat.tg_dim
    ]
    t_al = onset + timedelta(minutes=3)
    reason = ""
    for i in range(1, len(unh_pts)):
        ww = unh_pts[i - 1 : i + 1]
        if all(m["value"] > 0 for m in ww):
            t_al = datetime.fromisoformat(ww[-1]["timestamp"].replace("Z", "+00:00")) + timedelta(seconds=64)
            vv = ", ".join(
                f"{m['value']} ({m['timestamp'][8:10]}/{m['timestamp'][5:7]}/{m['timestamp'][2:4]} {m['timestamp'][11:19]})"
                for m in reversed(ww)
            )
            reason = f"Threshold Crossed: 2 out of the last 2 datapoints [{vv}] were greater than the threshold (0.0) (minimum 2 datapoints for OK -> ALARM transition)."
            break
    a = k.alarm(
        "catalog-svc-nlb-unhealthy-targets",
        "AWS/NetworkELB",
        "UnHealthyHostCount",
        {"TargetGroup": cat.tg_dim, "LoadBalancer": topo.nlb_dim},
        stat="Maximum",
        period=60,
        evals=2,
        threshold=0.0,
        op="GreaterThanThreshold",
        desc="catalog-svc has unhealthy targets behind shop-int-nlb",
        state="ALARM",
        reason=reason,
        updated=t_al,
        configured=start - timedelta(days=300),
    )
    k.transition(a, t_al, "OK", "ALARM", reason)
    cpu_a = k.alarm(
        "catalog-svc-cpu-high",
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": "shop-prod", "ServiceName": "catalog-svc"},
        stat="Average",
        period=60,
        evals=5,
        threshold=80.0,
        op="GreaterThanThreshold",
        desc="catalog-svc CPU",
        state="OK",
        reason="Threshold Crossed: 5 out of the last 5 datapoints were not greater than the threshold (80.0) (minimum 5 datapoints for ALARM -> OK transition).",
        updated=push + timedelta(minutes=16),
        configured=start - timedelta(days=150),
    )
    k.transition(
        cpu_a,
        push + timedelta(minutes=9),
        "OK",
        "ALARM",
        "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (80.0) (minimum 5 datapoints for OK -> ALARM transition).",
    )
    k.transition(cpu_a, push + timedelta(minutes=16), "ALARM", "OK", str(cpu_a["StateReason"]))
    k.alarm(
        "shop-aurora-writer-cpu",
        "AWS/RDS",
        "CPUUtilization",
        w,
        stat="Average",
        period=300,
        evals=3,
        threshold=80.0,
        op="GreaterThanThreshold",
        desc="Aurora writer CPU",
        state="OK",
        reason="Threshold Crossed: 3 datapoints were not greater than the threshold (80.0).",
        updated=start - timedelta(days=3),
        configured=start - timedelta(days=200),
    )

    # --- logs ---
    too_many = (
        "java.sql.SQLNonTransientConnectionException: Data source rejected establishment of connection,  "
        'message from server: "Too many connections"'
    )
    for s in (cat, orders, cart):
        streams = [f"{s.name}/{s.name}/{k.hexid(32)}" for _ in range(3)]
        t = start
        path = {
            "catalog-svc": "GET /v1/products/{n}",
            "orders-api": "GET /v1/orders/{n}",
            "cart-svc": "PUT /v1/cart/items",
        }[s.name]
        while t < now:
            st = r.choice(streams)
            ts = t + timedelta(seconds=r.uniform(0, 30))
            stamp = f"{iso(ts)[:-1]}.{r.randint(100, 999)}Z"
            p = path.replace("{n}", str(r.randint(10000, 99999)))
            if t >= onset and r.random() < (0.55 if s is cat else 0.3):
                k.log(
                    f"/ecs/shop-prod/{s.name}",
                    st,
                    ts,
                    f"{stamp}  WARN 1 --- [{s.name}] [onnection adder] com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Cannot acquire connection from data source\n{too_many}",
                )
                k.log(
                    f"/ecs/shop-prod/{s.name}",
                    st,
                    ts + timedelta(seconds=30),
                    f"{stamp[:-5]}9.{r.randint(100, 999)}Z ERROR 1 --- [{s.name}] [nio-8080-exec-{r.randint(1, 200)}] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() for servlet [dispatcherServlet] threw exception\norg.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection\nCaused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms (total=0, active=0, idle=0, waiting=0)\nCaused by: {too_many}",
                )
            else:
                k.log(
                    f"/ecs/shop-prod/{s.name}",
                    st,
                    ts,
                    f"{stamp}  INFO 1 --- [{s.name}] [nio-8080-exec-{r.randint(1, 200)}] c.s.web.RequestLogFilter : {p} 200 {r.randint(4, 70) if t < push else r.randint(20, 240)}ms",
                )
            t += timedelta(seconds=40 if t >= push else 120)
    t = push + timedelta(minutes=4)
    while t < now:
        st = f"catalog-svc/catalog-svc/{k.hexid(32)}"
        stamp = f"{iso(t + timedelta(seconds=40))[:-1]}.{r.randint(100, 999)}Z"
        if demand(t) > max_conn:
            msg = f"{stamp}  WARN 1 --- [catalog-svc] [           main] com.zaxxer.hikari.pool.HikariPool : HikariPool-1 - Exception during pool initialization.\n{too_many}"
        else:
            msg = f"{stamp}  INFO 1 --- [catalog-svc] [           main] com.zaxxer.hikari.HikariDataSource : HikariPool-1 - Start completed."
        k.log("/ecs/shop-prod/catalog-svc", st, t + timedelta(seconds=40), msg)
        t += step

    local = (push + timedelta(hours=1, minutes=5)).strftime("%H:%M")
    question = (
        f"Since the campaign email went out (~{local}) we get errors on basically every page. catalog keeps adding "
        "tasks but it's getting worse not better, and the NLB says catalog targets are unhealthy. Is the NLB choking?"
    )
    return k.bundle(
        title=TITLE,
        start=start,
        end=end,
        now=now,
        question=question,
        timezone="Europe/Paris",
        alarm_event=k.alarm_event(
            a,
            t_al,
            start - timedelta(days=2),
            reason,
            "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (0.0).",
        ),
        truth={
            "no_fault": False,
            "root_cause": {
                "resource": topo.writer,
                "category": "limit",
                "failure_mode": "aurora-max-connections-exhausted",
            },
            "also_accept": [topo.db_cluster, "max_connections"],
            "actions": ["scale", "reconfigure"],
            "chain": [topo.writer, "catalog-svc", "orders-api", "cart-svc", topo.nlb_name],
        },
    )
