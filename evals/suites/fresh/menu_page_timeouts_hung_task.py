"""One recipe-svc task wedged after a heap exhaustion but stays RUNNING and registered in Cloud Map."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzq import ZONES, Ctx, alb, diurnal, iso, target_group

NAME = "menu-page-timeouts-hung-task"
TITLE = "Weekly menu page slow and erroring for some subscribers since the morning; menu-api p99 alarm"
SUMMARY = (
    "A recipe-svc Fargate task ran out of Java heap and wedged without exiting; it stays RUNNING and in the "
    "Cloud Map DNS answer, so about a third of menu-svc's calls to it time out."
)

SERVICES = ["menu-bff", "menu-svc", "recipe-svc", "pantry-svc", "subscription-svc"]
NS = "larkspoon.local"


def build(seed: int) -> Bundle:
    ctx = Ctx(seed, NAME)
    r = ctx.rng
    zone = ZONES[ctx.region]
    lday = ctx.day.astimezone(ZoneInfo(zone))
    onset = datetime(
        lday.year, lday.month, lday.day, 8, r.randint(5, 55), r.randint(0, 59), tzinfo=ZoneInfo(zone)
    )
    onset = onset.astimezone(UTC)
    start = (onset - timedelta(minutes=r.randint(200, 225))).replace(second=0)
    now = (onset + timedelta(minutes=r.randint(34, 50))).replace(second=0)
    created = start - timedelta(days=r.randint(150, 500))
    cluster = "larkspoon-prod"
    peak = (onset.hour + 1) % 24

    sg_pub, sg_tasks = ("sg-" + ctx.hex(17) for _ in range(2))
    pub_arn, pub_dim = alb(ctx, "larkspoon-web", False, sg_pub, created)
    tg_arn, tg_dim = target_group(ctx, "menu-bff", pub_arn, 3000)

    # --- Cloud Map ----------------------------------------------------------------------------------
    ns_id = "ns-" + ctx.hex(16)
    sd_id = "srv-" + ctx.hex(16)
    sd_arn = ctx.arn("servicediscovery", f"service/{sd_id}")
    ctx.resource(
        "servicediscovery",
        "Namespace",
        {
            "Id": ns_id,
            "Arn": ctx.arn("servicediscovery", f"namespace/{ns_id}"),
            "Name": NS,
            "Type": "DNS_PRIVATE",
            "ServiceCount": 3,
            "Properties": {"DnsProperties": {"HostedZoneId": "Z0" + ctx.hex(18).upper()}},
            "CreateDate": iso(created),
        },
    )
    ctx.resource(
        "servicediscovery",
        "Service",
        {
            "Id": sd_id,
            "Arn": sd_arn,
            "Name": "recipe",
            "NamespaceId": ns_id,
            "InstanceCount": 3,
            "DnsConfig": {
                "NamespaceId": ns_id,
                "RoutingPolicy": "MULTIVALUE",
                "DnsRecords": [{"Type": "A", "TTL": 10}],
            },
            "Type": "DNS_HTTP",
            "CreateDate": iso(created),
            "CreatorRequestId": ctx.uuid(),
        },
    )

    # --- ECS ----------------------------------------------------------------------------------------
    counts = {"menu-bff": 3, "menu-svc": 3, "recipe-svc": 3, "pantry-svc": 2, "subscription-svc": 2}
    ctx.cluster(cluster, len(SERVICES), sum(counts.values()) + 1)
    menu_deploy = onset - timedelta(minutes=r.randint(55, 80))
    revs = {s: r.randint(30, 220) for s in SERVICES}
    svc_arn: dict[str, str] = {}
    td: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    ips: dict[str, list[str]] = {}
    deployed_at: dict[str, datetime] = {}
    for s in SERVICES:
        deployed = (
            menu_deploy
            if s == "menu-svc"
            else start - timedelta(days=r.randint(1, 12), minutes=r.randint(0, 600))
        )
        deployed_at[s] = deployed
        env = {"AWS_XRAY_DAEMON_ADDRESS": "localhost:2000"}
        if s == "menu-svc":
            env |= {
                "RECIPE_URL": f"http://recipe.{NS}:8080",
                "PANTRY_URL": f"http://pantry.{NS}:8080",
                "UPSTREAM_TIMEOUT": "2s",
            }
        if s == "recipe-svc":
            env |= {"JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=75.0", "SPRING_PROFILES_ACTIVE": "prod"}
        svc_arn[s], td[s], tasks[s] = ctx.service(
            cluster,
            s,
            revs[s],
            counts[s],
            sg_tasks,
            created,
            deployed,
            f"v{r.randint(1, 4)}.{r.randint(0, 40)}.{r.randint(0, 20)}",
            env,
            port=3000 if s == "menu-bff" else 8080,
            tg_arn=tg_arn if s == "menu-bff" else None,
            registry_arn=sd_arn if s == "recipe-svc" else None,
            memory="2048" if s == "recipe-svc" else "1024",
            health_check=s != "recipe-svc",
        )
        ips[s] = []
        for i, tid in enumerate(tasks[s]):
            ip = ctx.ip(i % 3)
            ips[s].append(ip)
            ctx.task(
                cluster,
                s,
                td[s],
                tid,
                i % 3,
                ip,
                deployed + timedelta(seconds=45 + 30 * i),
                health="UNKNOWN" if s == "recipe-svc" else "HEALTHY",
                memory="2048" if s == "recipe-svc" else "1024",
            )
    bad = r.randint(0, 2)
    bad_task = tasks["recipe-svc"][bad]
    bad_ip = ips["recipe-svc"][bad]
    for i, tid in enumerate(tasks["recipe-svc"]):
        ctx.resource(
            "servicediscovery",
            "InstanceSummary",
            {
                "Id": tid,
                "Attributes": {
                    "AWS_INSTANCE_IPV4": ips["recipe-svc"][i],
                    "AWS_INIT_HEALTH_STATUS": "HEALTHY",
                    "AVAILABILITY_ZONE": ctx.azs[i % 3],
                    "REGION": ctx.region,
                    "ECS_CLUSTER_NAME": cluster,
                    "ECS_SERVICE_NAME": "recipe-svc",
                    "ECS_TASK_DEFINITION_FAMILY": "recipe-svc",
                },
            },
        )
    # a pantry-svc task added by scaling before the window
    extra = ctx.hex(32)
    ctx.task(cluster, "pantry-svc", td["pantry-svc"], extra, 2, ctx.ip(2), start - timedelta(hours=2))

    # --- CloudTrail ----------------------------------------------------------------------------------
    ctx.readonly_noise(start, now, cluster, SERVICES, r.randint(70, 90))
    gha = "github-actions-deploy"
    t = menu_deploy - timedelta(minutes=2)
    ctx.ct(
        t,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ctx.role_identity(gha, "GitHubActions", t),
        {
            "family": "menu-svc",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": td["menu-svc"],
                "family": "menu-svc",
                "revision": revs["menu-svc"],
                "status": "ACTIVE",
            }
        },
    )
    ctx.ct(
        menu_deploy,
        "ecs.amazonaws.com",
        "UpdateService",
        ctx.role_identity(gha, "GitHubActions", menu_deploy),
        {"cluster": cluster, "service": "menu-svc", "taskDefinition": td["menu-svc"]},
        {
            "service": {
                "serviceArn": svc_arn["menu-svc"],
                "serviceName": "menu-svc",
                "taskDefinition": td["menu-svc"],
                "desiredCount": 3,
                "status": "ACTIVE",
            }
        },
    )
    aas = ctx.role_identity(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "ApplicationAutoScaling",
        start,
        "application-autoscaling.amazonaws.com",
    )
    for _ in range(3):
        t = start + timedelta(minutes=r.randint(10, 200))
        ctx.ct(
            t,
            "ecs.amazonaws.com",
            "DescribeServices",
            aas,
            {"cluster": cluster, "services": ["pantry-svc"]},
            None,
            True,
        )
    t = onset - timedelta(minutes=r.randint(20, 35))
    ctx.ct(
        t,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        ctx.sso_identity("ana.ruiz", "PlatformAdmin", t),
        {"logGroupName": "/ecs/subscription-svc", "retentionInDays": 90},
        None,
        agent="aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5 md/arch#x86_64 lang/python#3.11.9",
    )
    t = onset - timedelta(minutes=r.randint(5, 12))
    ctx.ct(
        t,
        "ssm.amazonaws.com",
        "PutParameter",
        ctx.sso_identity("ana.ruiz", "PlatformAdmin", t),
        {"name": "/prod/menu-svc/promo-banner", "type": "String", "overwrite": True},
        {"version": r.randint(3, 40), "tier": "Standard"},
        agent="AWS Internal",
    )
    look = onset + timedelta(minutes=r.randint(12, 20))
    who = ctx.sso_identity("tom.lindqvist", "ReadOnly", look)
    ctx.ct(
        look,
        "ecs.amazonaws.com",
        "DescribeServices",
        who,
        {"cluster": cluster, "services": ["menu-svc"]},
        None,
        True,
        "AWS Internal",
    )
    ctx.ct(
        look + timedelta(seconds=40),
        "ecs.amazonaws.com",
        "ListTasks",
        who,
        {"cluster": cluster, "serviceName": "menu-svc"},
        None,
        True,
        "AWS Internal",
    )
    ctx.ct(
        look + timedelta(minutes=2),
        "logs.amazonaws.com",
        "FilterLogEvents",
        who,
        {"logGroupName": "/ecs/menu-svc", "startTime": int((look - timedelta(hours=1)).timestamp() * 1000)},
        None,
        True,
        "AWS Internal",
    )

    # --- ECS events ----------------------------------------------------------------------------------
    for s in SERVICES:
        t = start + timedelta(minutes=r.randint(5, 300))
        while t < now:
            ctx.ecs_event(svc_arn[s], t, f"(service {s}) has reached a steady state.")
            t += timedelta(hours=6)
    for i, tid in enumerate(tasks["menu-svc"]):
        ctx.ecs_event(
            svc_arn["menu-svc"],
            menu_deploy + timedelta(seconds=30 + i),
            f"(service menu-svc) has started 1 tasks: (task {tid}).",
        )
    ctx.ecs_event(
        svc_arn["menu-svc"],
        menu_deploy + timedelta(minutes=6),
        "(service menu-svc) has reached a steady state.",
    )

    # --- metrics -------------------------------------------------------------------------------------
    def reqs(t: datetime) -> float:
        return max(40.0, diurnal(t, peak, 700, 420)) * r.uniform(0.92, 1.08)

    t = start
    while t <= now:
        n = reqs(t)
        broken = t >= onset
        menu = n * 0.42
        fail = menu / 3 * r.uniform(0.85, 1.1) if broken else 0.0
        d = {"LoadBalancer": pub_dim, "TargetGroup": tg_dim}
        ctx.metric(
            "AWS/ApplicationELB", "RequestCount", {"LoadBalancer": pub_dim}, t, "Count", value=round(n)
        )
        ctx.metric("AWS/ApplicationELB", "RequestCount", d, t, "Count", value=round(n))
        e5 = round(fail) + (1 if r.random() < 0.12 else 0)
        if e5:
            ctx.metric("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", d, t, "Count", value=e5)
            ctx.metric(
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                {"LoadBalancer": pub_dim},
                t,
                "Count",
                value=e5,
            )
        ok = n - fail
        vals = [0.03, 0.05, 0.08, 0.12, 0.2, 0.45]
        cnt = [max(1.0, round(ok * f)) for f in (0.2, 0.3, 0.25, 0.15, 0.08, 0.02)]
        if broken:
            vals.append(round(r.uniform(2.01, 2.09), 3))
            cnt.append(max(1.0, round(fail)))
        for dims in ({"LoadBalancer": pub_dim}, d):
            ctx.metric(
                "AWS/ApplicationELB", "TargetResponseTime", dims, t, "Seconds", values=vals, counts=cnt
            )
        ctx.metric("AWS/ApplicationELB", "HealthyHostCount", d, t, "Count", value=3)
        ctx.metric("AWS/ApplicationELB", "UnHealthyHostCount", d, t, "Count", value=0)
        for s in SERVICES:
            dims = {"ClusterName": cluster, "ServiceName": s}
            cpu: float = {
                "menu-bff": 24,
                "menu-svc": 19,
                "recipe-svc": 21,
                "pantry-svc": 15,
                "subscription-svc": 9,
            }[s]
            cpu *= n / 700
            mem: float = {
                "menu-bff": 38,
                "menu-svc": 22,
                "recipe-svc": 57,
                "pantry-svc": 44,
                "subscription-svc": 40,
            }[s]
            if s == "recipe-svc":
                healthy_cpu = cpu * 1.5 if broken else cpu
                cpu = (healthy_cpu * 2 + r.uniform(96, 100)) / 3 if broken else cpu
                if onset - timedelta(minutes=25) <= t < onset:
                    k = (t - (onset - timedelta(minutes=25))).total_seconds() / 1500
                    mem = mem + (95 - mem) * k / 3
                elif broken:
                    mem = (mem * 2 + r.uniform(95, 99)) / 3
            if s == "menu-svc" and menu_deploy <= t < menu_deploy + timedelta(minutes=4):
                cpu *= 1.5
            ctx.metric(
                "AWS/ECS", "CPUUtilization", dims, t, "Percent", value=min(100.0, cpu * r.uniform(0.93, 1.07))
            )
            ctx.metric("AWS/ECS", "MemoryUtilization", dims, t, "Percent", value=mem * r.uniform(0.98, 1.02))
            running = counts[s] + (1 if s == "pantry-svc" else 0)
            ctx.metric("ECS/ContainerInsights", "RunningTaskCount", dims, t, "Count", value=running)
            ctx.metric("ECS/ContainerInsights", "DesiredTaskCount", dims, t, "Count", value=running)
        t += timedelta(minutes=1)

    # --- alarms --------------------------------------------------------------------------------------
    a_time = onset + timedelta(minutes=3, seconds=r.randint(5, 55))
    p99_reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{r.uniform(2.0, 2.09):.3f} "
        f"({(onset + timedelta(minutes=2)):%d/%m/%y %H:%M:00}), ...] were greater than the threshold (1.5) "
        "(minimum 3 datapoints for OK -> ALARM transition)."
    )
    p99 = ctx.alarm(
        "menu-api-p99-latency",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"LoadBalancer": pub_dim, "TargetGroup": tg_dim},
        "p99",
        1.5,
        "GreaterThanThreshold",
        3,
        3,
        "ALARM",
        a_time,
        p99_reason,
        description="p99 of menu-bff behind larkspoon-web over 1.5s",
    )
    prev_ok = start - timedelta(days=r.randint(2, 9), hours=r.randint(0, 12))
    ok_reason = "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1.5)."
    ctx.history("menu-api-p99-latency", a_time, "OK", "ALARM", p99_reason)
    e_time = onset + timedelta(minutes=5, seconds=r.randint(5, 55))
    e_reason = "Threshold Crossed: 5 out of the last 5 datapoints were greater than the threshold (25.0)."
    ctx.alarm(
        "menu-bff-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": pub_dim, "TargetGroup": tg_dim},
        "Sum",
        25,
        "GreaterThanThreshold",
        5,
        5,
        "ALARM",
        e_time,
        e_reason,
        missing="notBreaching",
    )
    ctx.history("menu-bff-target-5xx", e_time, "OK", "ALARM", e_reason)
    for s in ("recipe-svc", "menu-svc", "pantry-svc"):
        ctx.alarm(
            f"{s}-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": cluster, "ServiceName": s},
            "Average",
            75,
            "GreaterThanThreshold",
            5,
            5,
            "OK",
            start - timedelta(days=r.randint(3, 30)),
            "Threshold Crossed: 5 datapoints were not greater than the threshold (75.0).",
        )
    ctx.alarm(
        "pantry-svc-running-tasks-low",
        "ECS/ContainerInsights",
        "RunningTaskCount",
        {"ClusterName": cluster, "ServiceName": "pantry-svc"},
        "Minimum",
        2,
        "LessThanThreshold",
        3,
        3,
        "OK",
        start - timedelta(days=11),
        "Threshold Crossed: 3 datapoints were not less than the threshold (2.0).",
    )
    flap = start + timedelta(minutes=r.randint(20, 90))
    fr = "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than or equal to the threshold (1.0)."
    ctx.alarm(
        "subscription-svc-payment-webhook-errors",
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": pub_dim},
        "Sum",
        1,
        "GreaterThanOrEqualToThreshold",
        1,
        1,
        "OK",
        flap + timedelta(minutes=2),
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater "
        "than or equal to the threshold (1.0).",
        missing="notBreaching",
    )
    ctx.history("subscription-svc-payment-webhook-errors", flap, "OK", "ALARM", fr)
    ctx.history(
        "subscription-svc-payment-webhook-errors",
        flap + timedelta(minutes=2),
        "ALARM",
        "OK",
        "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as "
        "[NonBreaching].",
    )
    ctx.metric(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": pub_dim},
        flap - timedelta(minutes=1),
        "Count",
        value=1,
    )

    # --- logs ----------------------------------------------------------------------------------------
    def spring(ts: datetime, level: str, thread: str, logger: str, msg: str) -> str:
        return (
            f"{ts:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z {level:>5} 1 --- [recipe-svc] [{thread:>15}] "
            f"{logger:<40} : {msg}"
        )

    wedge = onset - timedelta(seconds=r.randint(20, 70))
    t = start
    while t <= now:
        for tid in tasks["recipe-svc"]:
            stream = f"ecs/recipe-svc/{tid}"
            if tid == bad_task and t >= wedge:
                continue
            for _ in range(r.randint(1, 2)):
                ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
                ctx.log(
                    "/ecs/recipe-svc",
                    stream,
                    ts,
                    spring(
                        ts,
                        "INFO",
                        f"nio-8080-exec-{r.randint(1, 60)}",
                        "c.l.recipe.web.RecipeController",
                        f"GET /v1/recipes batch size={r.randint(6, 24)} took {r.randint(8, 45)}ms",
                    ),
                )
            if r.random() < 0.02:
                ts = t + timedelta(seconds=r.randint(0, 59))
                ctx.log(
                    "/ecs/recipe-svc",
                    stream,
                    ts,
                    spring(
                        ts,
                        "WARN",
                        "   scheduling-1",
                        "c.l.recipe.cache.NutritionCacheLoader",
                        "nutrition cache refresh took 4120ms (slow)",
                    ),
                )
        t += timedelta(minutes=1)
    bstream = f"ecs/recipe-svc/{bad_task}"
    ts = wedge - timedelta(minutes=r.randint(18, 24))
    ctx.log(
        "/ecs/recipe-svc",
        bstream,
        ts,
        spring(
            ts,
            "INFO",
            f"nio-8080-exec-{r.randint(1, 60)}",
            "c.l.recipe.export.PrintCardExporter",
            "building print-card bundle for week "
            f"{(onset + timedelta(days=7)):%G-W%V}: {r.randint(1800, 2600)} recipes",
        ),
    )
    ts = wedge - timedelta(seconds=r.randint(30, 90))
    ctx.log(
        "/ecs/recipe-svc",
        bstream,
        ts,
        spring(
            ts,
            "WARN",
            "HikariPool-1 housekeeper",
            "com.zaxxer.hikari.pool.HikariPool",
            "HikariPool-1 - Thread starvation or clock leap detected "
            f"(housekeeper delta=1m{r.randint(2, 40)}s{r.randint(100, 900)}ms).",
        ),
    )
    ts = wedge
    ctx.log(
        "/ecs/recipe-svc",
        bstream,
        ts,
        f'Exception in thread "http-nio-8080-exec-{r.randint(1, 60)}" java.lang.OutOfMemoryError: Java heap space',
    )
    ctx.log(
        "/ecs/recipe-svc",
        bstream,
        ts + timedelta(seconds=r.randint(20, 50)),
        spring(
            ts + timedelta(seconds=50),
            "ERROR",
            f"nio-8080-exec-{r.randint(1, 60)}",
            "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
            "Servlet.service() for servlet [dispatcherServlet] "
            "threw exception\n\njava.lang.OutOfMemoryError: Java heap space",
        ),
    )
    ctx.log(
        "/ecs/recipe-svc",
        bstream,
        ts + timedelta(seconds=r.randint(80, 140)),
        'Exception in thread "Catalina-utility-2" java.lang.OutOfMemoryError: Java heap space',
    )

    # menu-svc (Go, JSON logs)
    old_menu = [ctx.hex(32) for _ in tasks["menu-svc"]]
    t = start
    while t <= now:
        broken = t >= onset
        for tid in tasks["menu-svc"] if t >= menu_deploy else old_menu:
            ts = t + timedelta(seconds=r.randint(0, 59), milliseconds=r.randint(0, 999))
            if broken and r.random() < 0.9:
                rid = r.randint(1000, 99999)
                if t > onset + timedelta(minutes=8) and r.random() < 0.4:
                    err = (
                        f'Get "http://recipe.{NS}:8080/v1/recipes?ids={rid},{rid + 7}": dial tcp {bad_ip}:8080: '
                        "i/o timeout (Client.Timeout exceeded while awaiting headers)"
                    )
                else:
                    err = (
                        f'Get "http://recipe.{NS}:8080/v1/recipes?ids={rid},{rid + 7}": context deadline '
                        "exceeded (Client.Timeout exceeded while awaiting headers)"
                    )
                line = {
                    "level": "error",
                    "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    "caller": "menu/handler.go:142",
                    "msg": "recipe lookup failed",
                    "week": f"{onset:%G-W%V}",
                    "error": err,
                    "status": 502,
                }
                ctx.log("/ecs/menu-svc", f"ecs/menu-svc/{tid}", ts, json.dumps(line, separators=(",", ":")))
            if r.random() < 0.35:
                line = {
                    "level": "info",
                    "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
                    "caller": "httpx/log.go:51",
                    "msg": "request",
                    "method": "GET",
                    "path": "/v1/menus/current",
                    "status": 200,
                    "dur_ms": r.randint(40, 180),
                }
                ctx.log("/ecs/menu-svc", f"ecs/menu-svc/{tid}", ts, json.dumps(line, separators=(",", ":")))
        t += timedelta(minutes=1)
    for tid in tasks["menu-svc"]:
        ts = menu_deploy + timedelta(seconds=r.randint(40, 90))
        line = {
            "level": "info",
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "caller": "cmd/main.go:77",
            "msg": "listening",
            "addr": ":8080",
            "version": f"v{r.randint(2, 3)}.{r.randint(0, 30)}.0",
        }
        ctx.log("/ecs/menu-svc", f"ecs/menu-svc/{tid}", ts, json.dumps(line, separators=(",", ":")))

    # --- traces --------------------------------------------------------------------------------------
    t = start
    host = f"recipe.{NS}:8080"
    while t <= now:
        broken = t >= onset
        trace = ctx.trace_id(t)
        rt = r.randrange(3)
        hung = broken and tasks["recipe-svc"][rt] == bad_task
        dur = 2.0 + r.uniform(0.001, 0.02) if hung else r.uniform(0.01, 0.05)
        url = f"http://{host}/v1/recipes?ids={r.randint(1000, 9999)}"
        sub = ctx.sub_http(
            t + timedelta(milliseconds=3),
            dur,
            host,
            "GET",
            url,
            None if hung else 200,
            "net/http: context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
            if hung
            else None,
        )
        status = 502 if hung else 200
        menu_seg = ctx.segment(
            "menu-svc",
            t,
            dur + 0.01,
            "GET",
            "http://menu-svc/v1/menus/current",
            status,
            r.choice(tasks["menu-svc"] if t >= menu_deploy else old_menu),
            [sub],
            trace_id=trace,
        )
        menu_seg["aws"]["xray"] = {"sdk": "X-Ray for Go", "sdk_version": "1.8.4"}
        if not hung:
            ctx.segment(
                "recipe-svc",
                t + timedelta(milliseconds=5),
                dur - 0.004,
                "GET",
                url,
                200,
                tasks["recipe-svc"][rt],
                [],
                trace_id=trace,
                parent=sub["id"],
            )
        t += timedelta(seconds=r.randint(50, 130) if not broken else r.randint(20, 50))

    event = ctx.alarm_event(p99, a_time, "OK", prev_ok, ok_reason)
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": bad_task,
            "category": "component_failure",
            "failure_mode": "wedged-task-still-in-service-discovery",
        },
        "also_accept": [ctx.arn("ecs", f"task/{cluster}/{bad_task}"), bad_ip],
        "actions": ["restart", "reconfigure"],
        "chain": [bad_task, "recipe-svc", "menu-svc", "menu-bff"],
    }
    return ctx.bundle(TITLE, start, now, {"question": None, "alarm_event": event}, truth)
