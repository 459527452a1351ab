"""A catalog API fleet runs one instance short after an operator stopped it; the afternoon peak saturates the rest."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh import _kit_a as k

NAME = "catalog-fleet-one-short"
TITLE = "catalog API slow and returning 5xx during the afternoon peak"
SUMMARY = (
    "An engineer stopped one of four static catalog-api instances in the morning and never started it; "
    "at the afternoon peak the remaining three saturate (CPU, Hikari pool timeouts, 5xx, latency)."
)

ZONES = {"us-east-1": "America/New_York", "us-east-2": "America/Chicago", "us-west-2": "America/Los_Angeles"}


def build(seed: int) -> Bundle:
    ctx = k.new_ctx(NAME, seed, regions=list(ZONES))
    rng = ctx.rng
    tz = ZoneInfo(ZONES[ctx.region])
    day = k.pick_day(ctx)
    local_midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
    ctx.start = (local_midnight - timedelta(hours=14)).astimezone(k.UTC)
    offset_h = local_midnight.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]
    stop_at = (
        (local_midnight + timedelta(hours=rng.uniform(9.6, 11.2))).astimezone(k.UTC).replace(microsecond=0)
    )
    peak_mult = rng.uniform(1.03, 1.1)
    base_rpm = rng.randint(5200, 7600)  # requests/min to catalog at peak

    domain = rng.choice(["larkspur.com", "fernhollow.io", "brightcart.com"])
    # ---- infrastructure ------------------------------------------------------------------------
    net = k.network(ctx, "shop-prod")
    alb_sg = k.security_group(
        ctx, net, "shop-prod-alb", "shop-prod public ALB", [(443, 443, "0.0.0.0/0"), (80, 80, "0.0.0.0/0")]
    )
    app_sg = k.security_group(
        ctx, net, "catalog-api-prod", "catalog-api instances", [(8080, 8080, alb_sg), (22, 22, "10.0.0.0/8")]
    )
    sug_sg = k.security_group(
        ctx, net, "search-suggest-prod", "search-suggest instances", [(8000, 8000, alb_sg)]
    )
    lb = k.load_balancer(
        ctx, net, "shop-prod-public", alb_sg, created=ctx.start - timedelta(days=rng.randint(300, 700))
    )
    tg = k.target_group(
        ctx, net, "catalog-api-prod", 8080, lb, path="/actuator/health", interval=15, healthy=3, unhealthy=3
    )
    tg2 = k.target_group(ctx, net, "search-suggest-prod", 8000, lb, path="/healthz", interval=10, unhealthy=2)
    k.listener(ctx, lb, tg)
    ami = ctx.rid("ami")
    built = ctx.start - timedelta(days=rng.randint(20, 60))
    cat: list[dict[str, object]] = []
    for n in range(4):
        sub = net.private[n % 3]
        cat.append(
            k.instance(
                ctx,
                net,
                sub,
                name=f"catalog-api-prod-{n + 1:02d}",
                itype="c6i.xlarge",
                ami=ami,
                sgs=[(app_sg, "catalog-api-prod")],
                profile="catalog-api-prod",
                launched=built + timedelta(minutes=n * 3),
                state="running",
                extra_tags={"service": "catalog-api", "env": "prod", "managed-by": "terraform"},
                emit=False,
            )
        )
    victim_n = rng.randint(0, 3)
    victim = cat[victim_n]
    vid = str(victim["InstanceId"])
    victim["State"] = {"Code": 80, "Name": "stopped"}
    victim["StateTransitionReason"] = f"User initiated ({stop_at.strftime('%Y-%m-%d %H:%M:%S')} GMT)"
    victim["StateReason"] = {
        "Code": "Client.UserInitiatedShutdown",
        "Message": "Client.UserInitiatedShutdown: User initiated shutdown",
    }
    for inst in cat:
        ctx.res("ec2", "Instance", inst)
    sug = [
        k.instance(
            ctx,
            net,
            net.private[n],
            name=f"search-suggest-prod-{n + 1:02d}",
            itype="m6g.large",
            ami=ctx.rid("ami"),
            sgs=[(sug_sg, "search-suggest-prod")],
            profile="search-suggest-prod",
            launched=built + timedelta(days=3, minutes=n),
            extra_tags={"service": "search-suggest", "env": "prod", "managed-by": "terraform"},
        )
        for n in range(2)
    ]
    for inst in cat:
        if inst is not victim:
            k.instance_status(ctx, inst)
    for inst in sug:
        k.instance_status(ctx, inst)

    # ---- load model ----------------------------------------------------------------------------
    ctx.now = ctx.start  # placeholder until onset is known
    horizon = ctx.start + timedelta(hours=40)

    def demand(t: datetime) -> float:
        shape = k.diurnal(t, offset_h, peak_h=15.2, floor=0.1)
        mult = peak_mult if t >= local_midnight.astimezone(k.UTC) else 1.0
        return base_rpm * shape * mult

    def n_up(t: datetime) -> int:
        return 3 if t >= stop_at else 4

    def util(t: datetime) -> float:
        return 0.05 + 0.66 * demand(t) / base_rpm * 4 / n_up(t)

    # onset: first minute 5xx appear (util over 0.88) after the stop
    t = stop_at
    while util(t) < 0.885 and t < horizon:
        t += k.MIN
    onset = t
    ctx.now = (onset + timedelta(minutes=rng.randint(34, 52))).replace(second=0)
    ctx.fine_from = k.floor_min(local_midnight.astimezone(k.UTC) + timedelta(hours=7))
    N = ctx.minutes()

    ticks = [ctx.t(i) for i in range(N)]
    dem = [demand(x) * (1 + ctx.noise(0.035)) for x in ticks]
    u = [min(0.995, util(x) * (1 + ctx.noise(0.02))) for x in ticks]
    err_frac = [max(0.0, (v - 0.88) * 1.9) ** 1.2 if v > 0.88 else 0.0 for v in u]
    lat = [0.038 * (1 + (v**9) * 26) * (1 + ctx.noise(0.05)) for v in u]

    lbd = {"LoadBalancer": lb.dim}
    tgd = {"LoadBalancer": lb.dim, "TargetGroup": tg.dim}
    tg2d = {"LoadBalancer": lb.dim, "TargetGroup": tg2.dim}
    sug_rpm = [0.22 * d * (1 + ctx.noise(0.05)) for d in dem]
    tgt5 = [round(d * e * 0.8) for d, e in zip(dem, err_frac, strict=True)]
    elb504 = [round(d * e * 0.2) for d, e in zip(dem, err_frac, strict=True)]
    tgt4 = [round(d * 0.012 * (1 + ctx.noise(0.2))) for d in dem]
    rq = [round(d) for d in dem]
    ns = "AWS/ApplicationELB"
    ctx.series(ns, "RequestCount", tgd, "Count", lambda x: float(rq[ctx.idx(x)]), kind="count")
    ctx.series(ns, "RequestCount", tg2d, "Count", lambda x: float(round(sug_rpm[ctx.idx(x)])), kind="count")
    ctx.series(
        ns,
        "RequestCount",
        lbd,
        "Count",
        lambda x: float(rq[ctx.idx(x)] + round(sug_rpm[ctx.idx(x)])),
        kind="count",
    )
    ctx.series(ns, "RequestCountPerTarget", tgd, "Count", lambda x: rq[ctx.idx(x)] / n_up(x), kind="count")
    ctx.series(
        ns,
        "HTTPCode_Target_2XX_Count",
        tgd,
        "Count",
        lambda x: float(rq[ctx.idx(x)] - tgt5[ctx.idx(x)] - elb504[ctx.idx(x)] - tgt4[ctx.idx(x)]),
        kind="count",
    )
    ctx.series(
        ns,
        "HTTPCode_Target_4XX_Count",
        tgd,
        "Count",
        lambda x: float(tgt4[ctx.idx(x)]),
        kind="count",
        sparse=True,
    )
    s5 = ctx.series(
        ns,
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda x: float(tgt5[ctx.idx(x)]),
        kind="count",
        sparse=True,
    )
    ctx.series(
        ns,
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Count",
        lambda x: float(tgt5[ctx.idx(x)]),
        kind="count",
        sparse=True,
    )
    ctx.series(
        ns,
        "HTTPCode_ELB_5XX_Count",
        lbd,
        "Count",
        lambda x: float(elb504[ctx.idx(x)]),
        kind="count",
        sparse=True,
    )
    ctx.series(
        ns,
        "HTTPCode_ELB_504_Count",
        lbd,
        "Count",
        lambda x: float(elb504[ctx.idx(x)]),
        kind="count",
        sparse=True,
    )
    trt = ctx.series(
        ns,
        "TargetResponseTime",
        tgd,
        "Seconds",
        lambda x: lat[ctx.idx(x)],
        kind="dist",
        counts=[float(v) for v in rq],
    )
    ctx.series(
        ns,
        "TargetResponseTime",
        tg2d,
        "Seconds",
        lambda x: 0.011 * (1 + ctx.noise(0.08)),
        kind="dist",
        counts=[float(round(v)) for v in sug_rpm],
    )
    ctx.series(ns, "HealthyHostCount", tgd, "Count", lambda x: float(n_up(x)))
    ctx.series(ns, "UnHealthyHostCount", tgd, "Count", lambda x: 0.0)
    ctx.series(ns, "HealthyHostCount", tg2d, "Count", lambda x: 2.0)
    ctx.series(ns, "UnHealthyHostCount", tg2d, "Count", lambda x: 0.0)
    ctx.series(
        ns,
        "ActiveConnectionCount",
        lbd,
        "Count",
        lambda x: (rq[ctx.idx(x)] + sug_rpm[ctx.idx(x)]) * 0.31 * (1 + lat[ctx.idx(x)]),
        kind="count",
    )
    cpu_series = {}
    for inst in cat:
        iid = str(inst["InstanceId"])
        skew = rng.uniform(0.97, 1.03)

        def cpu(x: datetime, skew: float = skew, iid: str = iid) -> float | None:
            if iid == vid and x >= stop_at:
                return None
            return min(99.6, 100 * u[ctx.idx(x)] * skew + ctx.noise(1.2))

        cpu_series[iid] = ctx.series("AWS/EC2", "CPUUtilization", {"InstanceId": iid}, "Percent", cpu)

        def net_in(x: datetime, iid: str = iid) -> float | None:
            if iid == vid and x >= stop_at:
                return None
            return dem[ctx.idx(x)] / n_up(x) * 2100 * (1 + ctx.noise(0.05))

        def status(x: datetime, iid: str = iid) -> float | None:
            return None if iid == vid and x >= stop_at else 0.0

        ctx.series("AWS/EC2", "NetworkIn", {"InstanceId": iid}, "Bytes", net_in, kind="count")
        ctx.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", status)
    for inst in sug:
        iid = str(inst["InstanceId"])
        ctx.series(
            "AWS/EC2",
            "CPUUtilization",
            {"InstanceId": iid},
            "Percent",
            lambda x: 4 + 30 * sug_rpm[ctx.idx(x)] / (base_rpm * 0.22) / 2 + ctx.noise(1.0),
        )
        ctx.series("AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, "Count", lambda x: 0.0)

    # ---- alarms --------------------------------------------------------------------------------
    topic = ctx.arn("sns", "shop-prod-oncall")
    a5 = ctx.alarm(
        "catalog-api-prod-target-5xx",
        s5,
        stat="Sum",
        threshold=50,
        op="GreaterThanOrEqualToThreshold",
        evals=3,
        datapoints=3,
        missing="notBreaching",
        actions=[topic],
        description="catalog-api returning 5xx behind shop-prod-public",
    )
    alat = ctx.alarm(
        "catalog-api-prod-latency",
        trt,
        stat="Average",
        threshold=0.5,
        op="GreaterThanThreshold",
        evals=5,
        datapoints=4,
        missing="missing",
        actions=[topic],
        description="Average target response time for catalog-api-prod over 500 ms",
    )
    ctx.add_alarm(a5)
    ctx.add_alarm(alat)
    unh = k.Series(ns, "UnHealthyHostCount", tgd, "Count", [0.0] * N)
    ctx.add_alarm(
        ctx.alarm(
            "catalog-api-prod-unhealthy-hosts",
            unh,
            stat="Maximum",
            threshold=1,
            op="GreaterThanOrEqualToThreshold",
            evals=2,
            actions=[topic],
        )
    )
    unh2 = k.Series(ns, "UnHealthyHostCount", tg2d, "Count", [0.0] * N)
    ctx.add_alarm(
        ctx.alarm(
            "search-suggest-prod-unhealthy-hosts",
            unh2,
            stat="Maximum",
            threshold=1,
            op="GreaterThanOrEqualToThreshold",
            evals=2,
            actions=[topic],
        )
    )
    for inst in cat:
        iid = str(inst["InstanceId"])
        name = f"catalog-api-prod-{cat.index(inst) + 1:02d}"
        ctx.add_alarm(
            ctx.alarm(
                f"{name}-cpu-high",
                cpu_series[iid],
                stat="Average",
                threshold=90,
                op="GreaterThanThreshold",
                period=300,
                evals=3,
                missing="missing",
                description=f"CPU on {name}",
            )
        )

    # ---- target health -------------------------------------------------------------------------
    for inst in cat:
        iid = str(inst["InstanceId"])
        ctx.target_health(tg.arn, iid, 8080, ctx.start - timedelta(days=2), "healthy")
    ctx.target_health(
        tg.arn,
        vid,
        8080,
        stop_at + timedelta(seconds=rng.randint(4, 20)),
        "draining",
        "Target.DeregistrationInProgress",
        "Target deregistration is in progress",
    )
    ctx.target_health(
        tg.arn,
        vid,
        8080,
        stop_at + timedelta(seconds=rng.randint(50, 80)),
        "unused",
        "Target.InvalidState",
        "Target is in the stopped state",
    )
    for inst in sug:
        ctx.target_health(tg2.arn, str(inst["InstanceId"]), 8000, ctx.start - timedelta(days=2), "healthy")

    # ---- logs ----------------------------------------------------------------------------------
    group = "/shop-prod/catalog-api"
    log_from = stop_at - timedelta(hours=2)
    pids = {str(i["InstanceId"]): rng.randint(1100, 4800) for i in cat}
    skus = [f"SKU-{rng.randint(10000, 99999)}" for _ in range(40)]
    for inst in cat:
        iid = str(inst["InstanceId"])
        pid = pids[iid]
        stream = f"{iid}/application.log"
        t = log_from
        thread = 1
        while t < ctx.now:
            if iid == vid and t >= stop_at:
                break
            uu = u[ctx.idx(t)]
            stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
            thread = (thread % 200) + 1
            r = rng.random()
            if uu > 0.9 and r < 0.55:
                waiting = int(20 + (uu - 0.88) * 900)
                ctx.log(
                    group,
                    stream,
                    t,
                    (
                        f"{stamp} ERROR {pid} --- [catalog-api] [io-8080-exec-{thread}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : "
                        "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request "
                        "processing failed: org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC "
                        "Connection] with root cause\n\njava.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
                        f"available, request timed out after 30000ms (total=40, active=40, idle=0, waiting={waiting})\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:144)\n"
                        "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:127)\n"
                        "\tat org.hibernate.engine.jdbc.connections.internal.DatasourceConnectionProviderImpl.getConnection(DatasourceConnectionProviderImpl.java:122)\n"
                        "\tat org.hibernate.internal.NonContextualJdbcConnectionAccess.obtainConnection(NonContextualJdbcConnectionAccess.java:46)\n"
                        "\tat org.hibernate.resource.jdbc.internal.LogicalConnectionManagedImpl.acquireConnectionIfNeeded(LogicalConnectionManagedImpl.java:113)\n"
                        "\t... 121 common frames omitted"
                    ),
                )
            elif uu > 0.86 and r < 0.7:
                delta = f"{rng.randint(1, 2)}m{rng.randint(1, 59)}s{rng.randint(1, 999)}ms"
                ctx.log(
                    group,
                    stream,
                    t,
                    f"{stamp}  WARN {pid} --- [catalog-api] [l-1 housekeeper] com.zaxxer.hikari.pool.HikariPool        : HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={delta}).",
                )
            elif r < 0.06:
                ctx.log(
                    group,
                    stream,
                    t,
                    f"{stamp}  WARN {pid} --- [catalog-api] [io-8080-exec-{thread}] c.l.catalog.pricing.PriceClient          : price lookup for {rng.choice(skus)} fell back to list price: upstream returned 404",
                )
            elif r < 0.5:
                ctx.log(
                    group,
                    stream,
                    t,
                    f"{stamp}  INFO {pid} --- [catalog-api] [   scheduling-1] c.l.catalog.cache.CategoryTreeCache      : category tree refreshed: {rng.randint(1800, 1830)} nodes in {rng.randint(40, 160)} ms",
                )
            else:
                ms_ = int(lat[ctx.idx(t)] * 1000 * rng.uniform(0.6, 1.8))
                ctx.log(
                    group,
                    stream,
                    t,
                    f"{stamp}  INFO {pid} --- [catalog-api] [io-8080-exec-{thread}] c.l.catalog.web.RequestLoggingFilter     : GET /v2/products/{rng.choice(skus)} 200 {ms_}ms",
                )
            gap = 40 if uu < 0.86 else 9
            t += timedelta(seconds=rng.uniform(gap * 0.5, gap * 1.5), milliseconds=rng.randint(0, 999))
        if iid == vid:
            t0 = stop_at + timedelta(seconds=rng.randint(2, 6))
            for j, msg in enumerate(
                [
                    "INFO {pid} --- [catalog-api] [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown        : Commencing graceful shutdown. Waiting for active requests to complete",
                    "INFO {pid} --- [catalog-api] [tomcat-shutdown] o.s.b.w.e.tomcat.GracefulShutdown        : Graceful shutdown complete",
                    "INFO {pid} --- [catalog-api] [ionShutdownHook] j.LocalContainerEntityManagerFactoryBean : Closing JPA EntityManagerFactory for persistence unit 'default'",
                    "INFO {pid} --- [catalog-api] [ionShutdownHook] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Shutdown initiated...",
                    "INFO {pid} --- [catalog-api] [ionShutdownHook] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Shutdown completed.",
                ]
            ):
                tt = t0 + timedelta(milliseconds=180 * j + rng.randint(0, 150))
                ctx.log(
                    group,
                    stream,
                    tt,
                    tt.strftime("%Y-%m-%dT%H:%M:%S.")
                    + f"{tt.microsecond // 1000:03d}Z  "
                    + msg.format(pid=pid),
                )

    # ---- CloudTrail ----------------------------------------------------------------------------
    user = rng.choice(k.FIRST_NAMES)
    others = [n for n in k.FIRST_NAMES if n != user]
    op = ctx.sso(user, "PlatformEngineer", domain)
    h2 = ctx.sso(rng.choice(others), "ReadOnly", domain, console=True)
    h3 = ctx.sso(rng.choice(others[3:]), "PlatformEngineer", domain, console=True)
    tf = k.terraform(ctx)
    ci = k.gha(ctx, "gha-deploy-search-suggest", "search-suggest")
    grafana = ctx.role_session(
        "grafana-cloudwatch-read",
        "grafana",
        f"34.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}",
        "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)",
    )
    nat = f"{rng.choice([3, 44, 52])}.{rng.randint(1, 250)}.{rng.randint(1, 250)}.{rng.randint(1, 250)}"
    apps = [
        k.instance_role(ctx, "catalog-api-prod", str(i["InstanceId"]), nat, k.JAVA_UA)
        for i in cat
        if i is not victim
    ]
    refs = k.Refs(
        instances=[str(i["InstanceId"]) for i in cat + sug],
        target_groups=[tg.arn, tg2.arn],
        load_balancers=[lb.arn],
        log_groups=[group, "/shop-prod/search-suggest"],
        params=[
            "/catalog-api/prod/db-url",
            "/catalog-api/prod/db-password",
            "/catalog-api/prod/pricing-api-key",
        ],
        buckets=[f"shop-prod-assets-{ctx.account}", "shop-prod-alb-logs"],
        alarms=[a5["AlarmName"], alat["AlarmName"], "catalog-api-prod-unhealthy-hosts"],
    )
    k.background(
        ctx,
        refs,
        humans=[op, h2, h3],
        automation=[tf, grafana],
        app_roles=apps,
        t0=ctx.start + timedelta(hours=6),
        t1=ctx.now,
        n=rng.randint(34, 44),
    )
    # the operator looks around, then stops the instance
    ctx.ct(
        stop_at - timedelta(seconds=rng.randint(90, 400)),
        op,
        "ec2.amazonaws.com",
        "DescribeInstances",
        {
            "instancesSet": {},
            "filterSet": {
                "items": [{"name": "tag:service", "valueSet": {"items": [{"value": "catalog-api"}]}}]
            },
        },
        None,
        read_only=True,
    )
    stop = ctx.ct(
        stop_at,
        op,
        "ec2.amazonaws.com",
        "StopInstances",
        {"instancesSet": {"items": [{"instanceId": vid}]}, "force": False},
        {
            "instancesSet": {
                "items": [
                    {
                        "instanceId": vid,
                        "currentState": {"code": 64, "name": "stopping"},
                        "previousState": {"code": 16, "name": "running"},
                    }
                ]
            }
        },
        read_only=False,
    )
    ctx.ct(
        stop_at + timedelta(seconds=rng.randint(40, 200)),
        op,
        "ec2.amazonaws.com",
        "DescribeInstances",
        {"instancesSet": {"items": [{"instanceId": vid}]}, "filterSet": {}},
        None,
        read_only=True,
    )
    # innocent changes near the onset
    c1 = onset - timedelta(minutes=rng.randint(8, 26), seconds=rng.randint(0, 59))
    ctx.ct(
        c1,
        tf,
        "elasticloadbalancing.amazonaws.com",
        "ModifyTargetGroupAttributes",
        {
            "targetGroupArn": tg2.arn,
            "attributes": [{"key": "deregistration_delay.timeout_seconds", "value": "30"}],
        },
        {
            "attributes": [
                {"key": "deregistration_delay.timeout_seconds", "value": "30"},
                {"key": "stickiness.enabled", "value": "false"},
                {"key": "load_balancing.algorithm.type", "value": "round_robin"},
            ]
        },
        read_only=False,
        version="1.10",
    )
    c2 = onset - timedelta(minutes=rng.randint(2, 18), seconds=rng.randint(0, 59))
    ctx.ct(
        c2,
        ci,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/search-suggest/prod/release", "type": "String", "overwrite": True, "tier": "Standard"},
        {"version": rng.randint(40, 90), "tier": "Standard"},
        read_only=False,
    )
    bastion = ctx.rid("sg")
    c3 = onset + timedelta(minutes=rng.randint(3, 12))
    ctx.ct(
        c3,
        h3,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": bastion,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "groups": {},
                        "ipRanges": {
                            "items": [{"cidrIp": f"{h3.source_ip}/32", "description": "vpn egress"}]
                        },
                        "ipv6Ranges": {},
                        "prefixListIds": {},
                    }
                ]
            },
        },
        {
            "_return": True,
            "securityGroupRuleSet": {
                "items": [
                    {
                        "groupOwnerId": ctx.account,
                        "groupId": bastion,
                        "securityGroupRuleId": ctx.rid("sgr"),
                        "isEgress": False,
                        "ipProtocol": "tcp",
                        "fromPort": 22,
                        "toPort": 22,
                        "cidrIpv4": f"{h3.source_ip}/32",
                        "description": "vpn egress",
                    }
                ]
            },
        },
        read_only=False,
    )
    ctx.ct(
        onset - timedelta(hours=rng.randint(2, 3), minutes=rng.randint(0, 50)),
        tf,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": "search-suggest-prod-unhealthy-hosts",
            "namespace": "AWS/ApplicationELB",
            "metricName": "UnHealthyHostCount",
            "statistic": "Maximum",
            "period": 60,
            "evaluationPeriods": 2,
            "threshold": 1.0,
            "comparisonOperator": "GreaterThanOrEqualToThreshold",
            "alarmActions": [topic],
            "okActions": [topic],
            "dimensions": [
                {"name": "LoadBalancer", "value": lb.dim},
                {"name": "TargetGroup", "value": tg2.dim},
            ],
        },
        None,
        read_only=False,
    )

    local_onset = (onset + timedelta(minutes=rng.choice([0, 2, 4]))).astimezone(tz)
    clock = local_onset.strftime("%I:%M%p").lstrip("0").lower()
    question = rng.choice(
        [
            f"catalog pages are crawling and the catalog API has been throwing 5xx since about {clock}. nothing deployed today that I know of — what's going on?",
            f"We're getting paged for catalog-api 5xx and latency, started around {clock}. Can you figure out why?",
        ]
    )
    return ctx.bundle(
        {
            "title": TITLE,
            "trigger": {"question": question, "alarm_event": None, "timezone": str(tz)},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": vid,
                    "category": "change",
                    "failure_mode": "instance-stopped-capacity-loss",
                    "event_id": stop["eventID"],
                },
                "also_accept": [f"catalog-api-prod-{victim_n + 1:02d}"],
                "actions": ["rollback", "scale"],
                "chain": [
                    f"{vid} (catalog-api-prod-{victim_n + 1:02d}) stopped by {user} and never started",
                    "catalog-api-prod target group serves with 3 of 4 targets",
                    "remaining catalog-api instances saturate CPU at the afternoon peak; Hikari pool timeouts",
                    "shop-prod-public ALB returns 5xx and slow responses for catalog",
                ],
            },
        }
    )
