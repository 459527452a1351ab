"""Harbourline ferry bookings fail at the evening peak."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle, Manifest
from evals.suites.fresh._kit_zr import (
    AlarmSpec,
    Ids,
    Logs,
    Metrics,
    Principal,
    Trail,
    alarm_event,
    alb_items,
    aws_service,
    diurnal,
    evaluate,
    iso,
    iso_ms,
    perm_from_cidr,
    perm_from_sg,
    pick_date,
    res,
    role_session,
    service_linked,
    sg_item,
    sso_user,
    subnet_item,
    target_health_point,
    tg_item,
    vpc_item,
)

NAME = "harbourline-evening-bookings-failing"
TITLE = "Ferry bookings failing at checkout as the evening peak builds; sailings pages still load"
SUMMARY = (
    "Evening-peak booking failures on the Harbourline bookings API while its tasks and targets stay healthy."
)

TZ = ZoneInfo("Europe/London")


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    ids = Ids(rng)
    account = str(rng.randrange(2 * 10**11, 9 * 10**11))
    region = "eu-west-2"
    azs = [("eu-west-2a", "euw2-az2"), ("eu-west-2b", "euw2-az3"), ("eu-west-2c", "euw2-az1")]

    day = pick_date(rng)
    local_day = datetime(day.year, day.month, day.day, tzinfo=TZ)

    def at_local(h: int, m: int, s: int = 0, d: int = 0) -> datetime:
        return (local_day + timedelta(days=d, hours=h, minutes=m, seconds=s)).astimezone(UTC)

    # --- names and ids ------------------------------------------------------------------------------
    env = "prod"
    cluster_name = f"harbourline-{env}"
    svc_name = "bookings-api"
    proxy = "hl-bookings-proxy"
    insights_proxy = "hl-insights-proxy"
    db_cluster = "hl-bookings-aurora"
    writer = f"{db_cluster}-1"
    reader = f"{db_cluster}-2"
    vpc = ids.res("vpc")
    subnets = [(ids.res("subnet"), az, azid) for az, azid in azs]
    pub_subnets = [(ids.res("subnet"), az, azid) for az, azid in azs]
    sg_alb, sg_app, sg_proxy, sg_db = (ids.res("sg") for _ in range(4))
    alb_item, alb_arn, alb_dim = alb_items(
        ids,
        account,
        region,
        "hl-public-alb",
        vpc,
        [(s, a) for s, a, _ in pub_subnets],
        sg_alb,
        day - timedelta(days=610),
    )
    tg, tg_arn, tg_dim = tg_item(
        ids,
        account,
        region,
        "bookings-api-tg",
        vpc,
        8080,
        alb_arn,
        "/actuator/health/liveness",
        target_type="ip",
    )
    tg_web, tg_web_arn, _tg_web_dim = tg_item(
        ids, account, region, "sailings-web-tg", vpc, 3000, alb_arn, "/healthz", target_type="ip"
    )
    cluster_arn = f"arn:aws:ecs:{region}:{account}:cluster/{cluster_name}"
    svc_arn = f"arn:aws:ecs:{region}:{account}:service/{cluster_name}/{svc_name}"
    td_rev = rng.randrange(180, 260)
    td_arn = f"arn:aws:ecs:{region}:{account}:task-definition/{svc_name}:{td_rev}"
    desired = rng.choice([8, 9, 10])
    pool_size = 60
    max_conn = 1000  # Aurora MySQL default for db.r6g.large
    old_pct, new_pct = 90, rng.choice([30, 35])
    insights_pct = 40
    borrow_timeout = 30

    # --- timeline -----------------------------------------------------------------------------------
    change_at = at_local(10, rng.randrange(18, 50), rng.randrange(60))
    deploy_at = at_local(14, rng.randrange(0, 40), rng.randrange(60))
    start = at_local(0, 0, d=-1)
    peak_h = 19.4 + rng.random() * 0.4
    peak_height = 1650 + rng.randrange(250)
    lunch_height = 600 + rng.randrange(150)

    def rpm_raw(t: datetime) -> float:
        lt = t.astimezone(TZ)
        h = lt.hour + lt.minute / 60
        weekend_factor = 1.0
        return (
            diurnal(h, [(12.6, 1.8, lunch_height), (peak_h, 1.5, peak_height), (8.3, 1.0, 220)], 90)
            * weekend_factor
        )

    def need(t: datetime) -> float:
        """Database connections the bookings proxy would have to hold."""
        return 35 + 0.205 * rpm_raw(t)

    cap_new = max_conn * new_pct // 100
    onset = None
    t = at_local(15, 0)
    while onset is None:
        if need(t) > cap_new:
            onset = t
        t += timedelta(minutes=1)
    now = onset + timedelta(minutes=rng.randrange(38, 52))
    end = now + timedelta(minutes=5)
    fine_from = onset - timedelta(hours=3, minutes=30)
    m = Metrics(start, now, fine_from)

    jitter: dict[tuple[str, datetime], float] = {}

    def nz(key: str, t: datetime, scale: float) -> float:
        k = (key, t)
        if k not in jitter:
            jitter[k] = rng.gauss(0, scale)
        return jitter[k]

    def cap(t: datetime) -> float:
        return max_conn * (new_pct if t >= change_at else old_pct) / 100

    def excess(t: datetime) -> float:
        n = need(t) + nz("need", t, 6)
        return max(0.0, n - cap(t)) / max(n, 1)

    def rpm(t: datetime) -> float:
        return max(10.0, rpm_raw(t) * (1 + nz("rpm", t, 0.04)))

    # ALB
    lbd = {"LoadBalancer": alb_dim}
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": alb_dim}

    def book_rpm(t: datetime) -> float:
        return rpm(t) * 0.62

    m.add("AWS/ApplicationELB", "RequestCount", lbd, "Count", rpm, integer=True)
    m.add("AWS/ApplicationELB", "RequestCount", tgd, "Count", book_rpm, integer=True)

    def tgt5xx(t: datetime) -> float:
        e = excess(t)
        base = 1 if rng.random() < 0.05 else 0
        # only requests that write or read booking state need a database connection
        return base + book_rpm(t) * 0.55 * min(1.0, e * 2.6)

    s5xx = m.add(
        "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", lbd, "Count", tgt5xx, omit_zero=True, integer=True
    )
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        lambda t: s5xx.get(t, 0.0),
        omit_zero=True,
        integer=True,
    )

    def elb5xx(t: datetime) -> float:
        e = excess(t)
        return (1 if rng.random() < 0.02 else 0) + (book_rpm(t) * 0.03 * min(1.0, e * 3) if e > 0.05 else 0)

    m.add("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", lbd, "Count", elb5xx, omit_zero=True, integer=True)
    m.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        lbd,
        "Count",
        lambda t: rpm(t) * 0.012 + abs(nz("4xx", t, 2)),
        omit_zero=True,
        integer=True,
    )

    def trt(t: datetime) -> float:
        e = excess(t)
        return (
            0.085
            + 0.00001 * rpm_raw(t)
            + abs(nz("trt", t, 0.01))
            + min(1.0, e * 2.6) * 0.55 * borrow_timeout * 0.8
        )

    m.add("AWS/ApplicationELB", "TargetResponseTime", tgd, "Seconds", trt, digits=4)
    m.add("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", lambda t: float(desired))
    m.add("AWS/ApplicationELB", "UnHealthyHostCount", tgd, "Count", lambda t: 0.0)

    # ECS
    ecsd = {"ClusterName": cluster_name, "ServiceName": svc_name}
    m.add(
        "AWS/ECS",
        "CPUUtilization",
        ecsd,
        "Percent",
        lambda t: 9 + rpm_raw(t) / 2000 * 38 * (1 - 0.5 * min(1.0, excess(t) * 2.6)) + nz("cpu", t, 1.5),
        digits=2,
    )
    m.add(
        "AWS/ECS",
        "MemoryUtilization",
        ecsd,
        "Percent",
        lambda t: 61 + nz("mem", t, 0.8) + (3 if t > deploy_at else 0),
        digits=2,
    )

    # RDS Proxy (bookings)
    pxd = {"ProxyName": proxy}
    pxtg = {"ProxyName": proxy, "TargetGroup": "default", "TargetRole": "READ_WRITE"}

    def px_borrowed(t: datetime) -> float:
        return min(need(t) * 0.8 + nz("bor", t, 4), cap(t))

    def px_conns(t: datetime) -> float:
        c = cap(t)
        n = need(t) + 25 + nz("pxc", t, 3)
        return min(c, n)

    m.add("AWS/RDS", "DatabaseConnections", pxd, "Count", px_conns, integer=True)
    m.add("AWS/RDS", "DatabaseConnectionsCurrentlyBorrowed", pxd, "Count", px_borrowed, integer=True)
    m.add("AWS/RDS", "MaxDatabaseConnectionsAllowed", pxtg, "Count", cap, integer=True)
    m.add(
        "AWS/RDS",
        "ClientConnections",
        pxd,
        "Count",
        lambda t: desired * pool_size - abs(nz("cc", t, 3)),
        integer=True,
    )

    def borrow_latency(t: datetime) -> float:
        e = excess(t)
        base = 180 + abs(nz("bl", t, 60))
        return base + min(1.0, e * 2.6) * borrow_timeout * 1e6 * 0.42

    m.add("AWS/RDS", "DatabaseConnectionsBorrowLatency", pxd, "Microseconds", borrow_latency, digits=0)
    m.add(
        "AWS/RDS",
        "QueryDatabaseResponseLatency",
        pxd,
        "Microseconds",
        lambda t: 2100 + rpm_raw(t) * 0.6 + abs(nz("qd", t, 250)),
        digits=0,
    )

    # RDS Proxy (insights), created this morning
    ins_created = change_at - timedelta(minutes=rng.randrange(14, 26))
    ipxd = {"ProxyName": insights_proxy}
    ins_first = ins_created + timedelta(minutes=9)

    def ins_conns(t: datetime) -> float | None:
        if t < ins_first:
            return None
        lt = t.astimezone(TZ)
        return 12 + (22 if 9 <= lt.hour < 18 else 4) + nz("ic", t, 2)

    m.add("AWS/RDS", "DatabaseConnections", ipxd, "Count", ins_conns, integer=True)
    m.add(
        "AWS/RDS",
        "MaxDatabaseConnectionsAllowed",
        {"ProxyName": insights_proxy, "TargetGroup": "default", "TargetRole": "READ_WRITE"},
        "Count",
        lambda t: None if t < ins_first else max_conn * insights_pct / 100,
        integer=True,
    )

    # Aurora writer
    wd = {"DBInstanceIdentifier": writer}

    def db_conns(t: datetime) -> float:
        ic = ins_conns(t) or 0.0
        return px_conns(t) + ic + 6 + nz("dbc", t, 1)

    m.add("AWS/RDS", "DatabaseConnections", wd, "Count", db_conns, integer=True)
    m.add(
        "AWS/RDS",
        "CPUUtilization",
        wd,
        "Percent",
        lambda t: 7 + min(need(t), cap(t)) / 440 * 44 + nz("dbcpu", t, 2),
        digits=2,
    )
    # --- alarms -------------------------------------------------------------------------------------
    topic = f"arn:aws:sns:{region}:{account}:hl-oncall-pager"
    a5xx = AlarmSpec(
        "hl-public-alb-target-5xx",
        "Target 5xx on the public ALB above 40/min for 3 minutes. Runbook: https://wiki.harbourline.internal/runbooks/alb-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        lbd,
        "Sum",
        60,
        3,
        3,
        40.0,
        "GreaterThanThreshold",
        "notBreaching",
        actions=[topic],
    )
    r5 = evaluate(a5xx, s5xx, account, region, start, now, rng)
    others: list[tuple[AlarmSpec, dict[datetime, float]]] = []
    all_minutes = [start + timedelta(minutes=i) for i in range(int((now - start).total_seconds() // 60))]
    unhealthy = {t: 0.0 for t in all_minutes}
    others.append(
        (
            AlarmSpec(
                "bookings-api-tg-unhealthy-hosts",
                "bookings-api target group has unhealthy targets",
                "AWS/ApplicationELB",
                "UnHealthyHostCount",
                tgd,
                "Maximum",
                60,
                5,
                5,
                0.0,
                "GreaterThanThreshold",
                "notBreaching",
                actions=[topic],
            ),
            unhealthy,
        )
    )
    cpu_series = {t: 7 + min(need(t), cap(t)) / 440 * 44 for t in all_minutes}
    others.append(
        (
            AlarmSpec(
                "hl-bookings-aurora-writer-cpu-high",
                "Aurora writer CPU above 80% for 10 minutes",
                "AWS/RDS",
                "CPUUtilization",
                wd,
                "Average",
                300,
                2,
                2,
                80.0,
                "GreaterThanThreshold",
                "missing",
                actions=[topic],
            ),
            cpu_series,
        )
    )
    conn_series = {t: db_conns(t) for t in cpu_series}
    others.append(
        (
            AlarmSpec(
                "hl-bookings-aurora-connections-high",
                "Aurora writer connections above 850 (max_connections 1000)",
                "AWS/RDS",
                "DatabaseConnections",
                wd,
                "Maximum",
                300,
                2,
                2,
                850.0,
                "GreaterThanThreshold",
                "missing",
                actions=[topic],
            ),
            conn_series,
        )
    )
    alarms = [r5.item]
    history = list(r5.history)
    for spec, series in others:
        r = evaluate(spec, series, account, region, start, now, rng)
        alarms.append(r.item)
        history.extend(r.history)
    if not r5.transitions:
        raise RuntimeError("alarm never fired")
    first_alarm = next(i for i, tr in enumerate(r5.transitions) if tr[2] == "ALARM")
    event = alarm_event(ids, a5xx, r5, account, region, first_alarm)

    # --- logs ---------------------------------------------------------------------------------------
    logs = Logs()
    lg = f"/ecs/{svc_name}"
    task_ids = [ids.hexs(32) for _ in range(desired)]
    new_task_ids = [ids.hexs(32) for _ in range(desired)]
    logger_ok = [
        (
            "c.h.bookings.web.BookingController",
            "POST /v2/bookings 201 sailing={sailing} pax={pax} took={ms}ms",
        ),
        ("c.h.bookings.web.SailingController", "GET /v2/sailings route={route} date={date} 200 took={ms}ms"),
        ("c.h.bookings.web.HoldController", "POST /v2/holds 201 sailing={sailing} seats={pax} took={ms}ms"),
        ("c.h.bookings.payments.PaymentClient", "Payment authorised booking={ref} psp=adyen took={ms}ms"),
    ]
    routes = ["PLY-RSC", "POO-CHE", "PME-STM", "PME-CAE", "DOV-CAL", "HOL-DUB", "LIV-DOU"]

    def ref() -> str:
        return "HL" + ids.alnum(6)

    def stream(tid: str) -> str:
        return f"ecs/{svc_name}/{tid}"

    def jlog(
        t: datetime, tid: str, level: str, logger: str, msg: str, extra: dict[str, Any] | None = None
    ) -> None:
        body: dict[str, Any] = {
            "@timestamp": iso_ms(t).replace("Z", "+00:00"),
            "@version": "1",
            "message": msg,
            "logger_name": logger,
            "thread_name": f"http-nio-8080-exec-{rng.randrange(1, 200)}",
            "level": level,
            "level_value": {"INFO": 20000, "WARN": 30000, "ERROR": 40000}[level],
            "traceId": ids.hexs(32),
        }
        if extra:
            body.update(extra)
        logs.add(lg, stream(tid), t, json.dumps(body))

    log_from = fine_from
    t = log_from
    while t < now:
        active = new_task_ids if t >= deploy_at + timedelta(minutes=6) else task_ids
        n_ok = max(1, int(rpm_raw(t) / 260))
        e = excess(t)
        for _ in range(n_ok):
            lgr, tmpl = rng.choice(logger_ok)
            msg = tmpl.format(
                sailing=f"{rng.choice(routes)}-{(t + timedelta(days=rng.randrange(1, 60))):%Y%m%d}-{rng.choice(['0730', '1015', '1400', '2245'])}",
                pax=rng.randrange(1, 6),
                route=rng.choice(routes),
                date=f"{(t + timedelta(days=rng.randrange(1, 90))):%Y-%m-%d}",
                ms=rng.randrange(18, 240),
                ref=ref(),
            )
            jlog(t + timedelta(seconds=rng.randrange(60)), rng.choice(active), "INFO", lgr, msg)
        if rng.random() < 0.04:
            jlog(
                t + timedelta(seconds=rng.randrange(60)),
                rng.choice(active),
                "WARN",
                "c.h.bookings.fares.FareCacheClient",
                f"Fare cache miss storm for route {rng.choice(routes)}; refreshed {rng.randrange(40, 300)} fares from fares-service in {rng.randrange(300, 900)}ms",
            )
        if rng.random() < 0.02:
            jlog(
                t + timedelta(seconds=rng.randrange(60)),
                rng.choice(active),
                "WARN",
                "o.s.w.s.m.s.DefaultHandlerExceptionResolver",
                "Resolved [org.springframework.web.HttpMediaTypeNotAcceptableException: No acceptable representation]",
            )
        if e > 0:
            n_err = min(14, 1 + int(e * 30))
            for _ in range(n_err):
                op = rng.choice(
                    [
                        (
                            "c.h.bookings.hold.SeatHoldRepository",
                            "select ... from seat_inventory where sailing_id = ? for update",
                        ),
                        (
                            "c.h.bookings.booking.BookingRepository",
                            "insert into booking (ref, sailing_id, customer_id, status, created_at) values (?, ?, ?, ?, ?)",
                        ),
                        (
                            "c.h.bookings.hold.SeatHoldRepository",
                            "update seat_hold set expires_at = ? where hold_id = ?",
                        ),
                    ]
                )
                err = (
                    f"PreparedStatementCallback; uncategorized SQLException for SQL [{op[1]}]; SQL state [HY000]; "
                    "error code [9501]; Timed-out waiting to acquire database connection"
                )
                trace = (
                    f"org.springframework.jdbc.UncategorizedSQLException: {err}\n"
                    "\tat org.springframework.jdbc.support.AbstractFallbackSQLExceptionTranslator.translate(AbstractFallbackSQLExceptionTranslator.java:93)\n"
                    "\tat org.springframework.jdbc.core.JdbcTemplate.translateException(JdbcTemplate.java:1548)\n"
                    "\tat org.springframework.jdbc.core.JdbcTemplate.execute(JdbcTemplate.java:677)\n"
                    f"\tat {op[0].replace('c.h.', 'com.harbourline.')}.lockForSailing({op[0].split('.')[-1]}.java:{rng.randrange(40, 140)})\n"
                    "\tat com.harbourline.bookings.hold.SeatHoldService.placeHold(SeatHoldService.java:88)\n"
                    "\t... 94 common frames omitted\n"
                    "Caused by: java.sql.SQLException: Timed-out waiting to acquire database connection\n"
                    "\tat com.mysql.cj.jdbc.exceptions.SQLError.createSQLException(SQLError.java:130)\n"
                    "\tat com.mysql.cj.jdbc.exceptions.SQLExceptionsMapping.translateException(SQLExceptionsMapping.java:122)\n"
                    "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeInternal(ClientPreparedStatement.java:912)\n"
                    "\tat com.mysql.cj.jdbc.ClientPreparedStatement.executeQuery(ClientPreparedStatement.java:972)\n"
                    "\tat com.zaxxer.hikari.pool.ProxyPreparedStatement.executeQuery(ProxyPreparedStatement.java:52)\n"
                    "\tat com.zaxxer.hikari.pool.HikariProxyPreparedStatement.executeQuery(HikariProxyPreparedStatement.java)\n"
                    "\t... 101 common frames omitted\n"
                )
                path = rng.choice(["/v2/holds", "/v2/bookings", "/v2/bookings/" + ref() + "/confirm"])
                jlog(
                    t + timedelta(seconds=rng.randrange(60)),
                    rng.choice(active),
                    "ERROR",
                    "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                    f"Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception [Request processing failed: {err}] with root cause",
                    {"stack_trace": trace, "http.path": path},
                )
        t += timedelta(minutes=1)
    # deploy: task start lines
    for tid in new_task_ids:
        ts = deploy_at + timedelta(seconds=rng.randrange(90, 300))
        jlog(
            ts,
            tid,
            "INFO",
            "c.h.bookings.BookingsApplication",
            f"Started BookingsApplication in {rng.uniform(14, 22):.3f} seconds (process running for {rng.uniform(16, 25):.3f})",
        )
        jlog(
            ts - timedelta(seconds=6),
            tid,
            "INFO",
            "com.zaxxer.hikari.HikariDataSource",
            "HikariPool-1 - Start completed.",
        )
        jlog(
            ts - timedelta(seconds=7),
            tid,
            "INFO",
            "com.zaxxer.hikari.HikariDataSource",
            f"HikariPool-1 - Starting... (jdbcUrl=jdbc:mysql://{proxy}.proxy-{ids.alnum(12, upper=False)}.{region}.rds.amazonaws.com:3306/bookings, maximumPoolSize={pool_size})",
        )

    # --- CloudTrail ---------------------------------------------------------------------------------
    trail = Trail(ids, account, region)
    ci = role_session(
        ids,
        account,
        "github-actions-deploy",
        f"GitHubActions-{rng.randrange(10**9, 10**10)}",
        "4.208.26.197",
        "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.5.0-1025-azure md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.22 md/prompt#off md/command#ecs.update-service",
    )
    tfplan = role_session(
        ids,
        account,
        "terraform-plan-readonly",
        f"atlantis-{ids.hexs(8)}",
        "18.135.70.44",
        "APN/1.0 HashiCorp/1.0 Terraform/1.8.5 (+https://www.terraform.io) terraform-provider-aws/5.61.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/rds#1.81.4",
    )
    console_ua = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
    dba = sso_user(
        ids,
        account,
        region,
        "DatabaseAdmin",
        "priya.raman@harbourline.co.uk",
        "81.2.69.142",
        console_ua,
        console=True,
    )
    webdev = sso_user(
        ids,
        account,
        region,
        "PowerUser",
        "tom.fairweather@harbourline.co.uk",
        "86.13.201.77",
        "aws-cli/2.15.40 Python/3.11.8 Darwin/23.5.0 exe/x86_64 prompt/off command/elbv2.create-rule",
    )
    sre = sso_user(
        ids,
        account,
        region,
        "ReadOnly",
        "gemma.okafor@harbourline.co.uk",
        "86.145.12.9",
        console_ua,
        console=True,
    )
    dd = role_session(
        ids,
        account,
        "DatadogIntegrationRole",
        f"datadog-{ids.hexs(6)}",
        "3.233.146.23",
        "Datadog/1.0 aws-sdk-go/1.44.327 (go1.21.8; linux; amd64)",
    )
    ecs_slr = service_linked(
        ids, account, "AWSServiceRoleForECS", "ecs.amazonaws.com", "ecs-service-scheduler"
    )

    proxy_tg_arn = f"arn:aws:rds:{region}:{account}:target-group:prx-tg-{ids.alnum(17, upper=False)}"
    ins_tg_arn = f"arn:aws:rds:{region}:{account}:target-group:prx-tg-{ids.alnum(17, upper=False)}"
    proxy_arn = f"arn:aws:rds:{region}:{account}:db-proxy:prx-{ids.alnum(17, upper=False)}"
    ins_proxy_arn = f"arn:aws:rds:{region}:{account}:db-proxy:prx-{ids.alnum(17, upper=False)}"
    proxy_created = day - timedelta(days=rng.randrange(200, 400))
    secret_arn = (
        f"arn:aws:secretsmanager:{region}:{account}:secret:rds/hl-bookings/app-{ids.alnum(6, upper=False)}"
    )
    ins_secret_arn = f"arn:aws:secretsmanager:{region}:{account}:secret:rds/hl-bookings/insights-ro-{ids.alnum(6, upper=False)}"
    proxy_role = f"arn:aws:iam::{account}:role/rds-proxy-secrets-access"

    def pool_cfg(pct: int, idle: int) -> dict[str, Any]:
        return {
            "maxConnectionsPercent": pct,
            "maxIdleConnectionsPercent": idle,
            "connectionBorrowTimeout": borrow_timeout,
            "sessionPinningFilters": [],
        }

    # routine reads
    readers: list[tuple[Principal, str, str, dict[str, Any] | None]] = [
        (tfplan, "rds.amazonaws.com", "DescribeDBProxies", {"dBProxyName": proxy}),
        (
            tfplan,
            "rds.amazonaws.com",
            "DescribeDBProxyTargetGroups",
            {"dBProxyName": proxy, "targetGroupName": "default"},
        ),
        (
            tfplan,
            "ecs.amazonaws.com",
            "DescribeServices",
            {"cluster": cluster_name, "services": [svc_name], "include": ["TAGS"]},
        ),
        (tfplan, "elasticloadbalancing.amazonaws.com", "DescribeTargetGroups", {"targetGroupArns": [tg_arn]}),
        (tfplan, "rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": db_cluster}),
        (dd, "monitoring.amazonaws.com", "GetMetricData", None),
        (
            dd,
            "tag.amazonaws.com",
            "GetResources",
            {"resourceTypeFilters": ["rds:db", "elasticloadbalancing:loadbalancer"], "resourcesPerPage": 100},
        ),
        (dd, "monitoring.amazonaws.com", "ListMetrics", {"namespace": "AWS/RDS"}),
        (sre, "monitoring.amazonaws.com", "DescribeAlarms", {"maxRecords": 100}),
        (sre, "ecs.amazonaws.com", "ListServices", {"cluster": cluster_name}),
        (dba, "rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": writer}),
        (dba, "pi.amazonaws.com", "GetResourceMetrics", None),
    ]
    for _ in range(34):
        who, src, name, params = rng.choice(readers)
        lt = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        trail.add(lt, who, src, name, params, None, read_only=True)
    # ECS agent / service scheduler noise during deploy
    trail.add(
        deploy_at,
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": svc_name,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{svc_name}:{td_rev}",
                "revision": td_rev,
                "family": svc_name,
                "status": "ACTIVE",
            }
        },
    )
    trail.add(
        deploy_at + timedelta(seconds=14),
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster_name,
            "service": svc_name,
            "taskDefinition": f"{svc_name}:{td_rev}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": svc_arn,
                "serviceName": svc_name,
                "taskDefinition": td_arn,
                "desiredCount": desired,
                "status": "ACTIVE",
            }
        },
    )
    for i in range(3):
        trail.add(
            deploy_at + timedelta(seconds=40 + i * 70),
            ecs_slr,
            "elasticloadbalancing.amazonaws.com",
            "RegisterTargets",
            {
                "targetGroupArn": tg_arn,
                "targets": [{"id": f"10.42.{rng.randrange(10, 60)}.{rng.randrange(5, 250)}", "port": 8080}],
            },
            None,
        )
    # the morning's proxy work
    trail.add(
        ins_created,
        dba,
        "rds.amazonaws.com",
        "CreateDBProxy",
        {
            "dBProxyName": insights_proxy,
            "engineFamily": "MYSQL",
            "auth": [{"authScheme": "SECRETS", "secretArn": ins_secret_arn, "iAMAuth": "DISABLED"}],
            "roleArn": proxy_role,
            "vpcSubnetIds": [s for s, _a, _z in subnets],
            "vpcSecurityGroupIds": [sg_proxy],
            "requireTLS": True,
            "idleClientTimeout": 1800,
            "debugLogging": False,
        },
        {
            "dBProxy": {
                "dBProxyName": insights_proxy,
                "dBProxyArn": ins_proxy_arn,
                "status": "creating",
                "engineFamily": "MYSQL",
            }
        },
    )
    trail.add(
        ins_created + timedelta(minutes=7, seconds=rng.randrange(50)),
        dba,
        "rds.amazonaws.com",
        "RegisterDBProxyTargets",
        {"dBProxyName": insights_proxy, "dBClusterIdentifiers": [db_cluster]},
        {"dBProxyTargets": [{"rdsResourceId": db_cluster, "port": 3306, "type": "TRACKED_CLUSTER"}]},
    )
    trail.add(
        ins_created + timedelta(minutes=9, seconds=rng.randrange(50)),
        dba,
        "rds.amazonaws.com",
        "ModifyDBProxyTargetGroup",
        {
            "targetGroupName": "default",
            "dBProxyName": insights_proxy,
            "connectionPoolConfig": pool_cfg(insights_pct, 10),
        },
        {
            "dBProxyTargetGroup": {
                "dBProxyName": insights_proxy,
                "targetGroupName": "default",
                "targetGroupArn": ins_tg_arn,
                "isDefault": True,
                "status": "available",
                "connectionPoolConfig": pool_cfg(insights_pct, 10),
            }
        },
    )
    culprit = trail.add(
        change_at,
        dba,
        "rds.amazonaws.com",
        "ModifyDBProxyTargetGroup",
        {"targetGroupName": "default", "dBProxyName": proxy, "connectionPoolConfig": pool_cfg(new_pct, 15)},
        {
            "dBProxyTargetGroup": {
                "dBProxyName": proxy,
                "targetGroupName": "default",
                "targetGroupArn": proxy_tg_arn,
                "isDefault": True,
                "status": "available",
                "connectionPoolConfig": pool_cfg(new_pct, 15),
                "createdDate": iso(proxy_created),
                "updatedDate": iso(change_at),
            }
        },
    )
    trail.add(
        change_at - timedelta(seconds=rng.randrange(30, 90)),
        dba,
        "rds.amazonaws.com",
        "DescribeDBProxyTargetGroups",
        {"dBProxyName": proxy},
        None,
        read_only=True,
    )
    trail.add(
        change_at + timedelta(seconds=rng.randrange(20, 60)),
        dba,
        "rds.amazonaws.com",
        "DescribeDBProxyTargets",
        {"dBProxyName": proxy, "targetGroupName": "default"},
        None,
        read_only=True,
    )
    # innocent changes near onset
    notif_at = onset - timedelta(minutes=rng.randrange(18, 27))
    trail.add(
        notif_at,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {
            "cluster": cluster_name,
            "service": "notifications-worker",
            "taskDefinition": f"notifications-worker:{rng.randrange(40, 90)}",
            "forceNewDeployment": False,
        },
        {
            "service": {
                "serviceArn": f"arn:aws:ecs:{region}:{account}:service/{cluster_name}/notifications-worker",
                "serviceName": "notifications-worker",
                "desiredCount": 2,
                "status": "ACTIVE",
            }
        },
    )
    listener_arn = alb_arn.replace(":loadbalancer/", ":listener/") + "/" + ids.hexs(16)
    rule_at = onset - timedelta(minutes=rng.randrange(6, 14))
    trail.add(
        rule_at,
        webdev,
        "elasticloadbalancing.amazonaws.com",
        "CreateRule",
        {
            "listenerArn": listener_arn,
            "conditions": [{"field": "path-pattern", "pathPatternConfig": {"values": ["/summer-sailings*"]}}],
            "priority": 40,
            "actions": [
                {
                    "type": "redirect",
                    "redirectConfig": {
                        "protocol": "HTTPS",
                        "port": "443",
                        "host": "#{host}",
                        "path": "/offers/summer",
                        "query": "#{query}",
                        "statusCode": "HTTP_301",
                    },
                }
            ],
        },
        {
            "rules": [
                {
                    "ruleArn": listener_arn.replace(":listener/", ":listener-rule/") + "/" + ids.hexs(16),
                    "priority": "40",
                    "isDefault": False,
                }
            ]
        },
    )
    trail.add(
        onset - timedelta(minutes=rng.randrange(2, 5)),
        sre,
        "ssm.amazonaws.com",
        "PutParameter",
        {
            "name": "/harbourline/prod/sailings-web/FEATURE_SEAT_MAP_V2",
            "type": "String",
            "overwrite": True,
            "tier": "Standard",
        },
        {"version": rng.randrange(3, 12), "tier": "Standard"},
    )
    trail.add(
        now - timedelta(minutes=rng.randrange(3, 9)),
        sre,
        "ecs.amazonaws.com",
        "DescribeServices",
        {"cluster": cluster_name, "services": [svc_name]},
        None,
        read_only=True,
    )
    trail.add(
        now - timedelta(minutes=rng.randrange(1, 3)),
        sre,
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        {"targetGroupArn": tg_arn},
        None,
        read_only=True,
    )
    for _ in range(6):
        ts = start + timedelta(seconds=rng.randrange(int((now - start).total_seconds())))
        trail.add(
            ts,
            aws_service("ecs-tasks.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {"roleArn": f"arn:aws:iam::{account}:role/{svc_name}-task", "roleSessionName": ids.hexs(32)},
            {"credentials": {"accessKeyId": ids.access_key(), "expiration": iso(ts + timedelta(hours=6))}},
            read_only=True,
        )

    # --- resources ----------------------------------------------------------------------------------
    resources: list[dict[str, Any]] = []
    resources.append(res("ec2", "Vpc", vpc_item(vpc, "10.42.0.0/16", "harbourline-prod", account, ids)))
    for i, (sid, az, azid) in enumerate(subnets):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.42.{16 * (i + 1)}.0/20",
                    3900 + rng.randrange(150),
                    f"hl-prod-private-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    for i, (sid, az, azid) in enumerate(pub_subnets):
        resources.append(
            res(
                "ec2",
                "Subnet",
                subnet_item(
                    sid,
                    vpc,
                    az,
                    azid,
                    f"10.42.{i}.0/24",
                    240 + rng.randrange(10),
                    f"hl-prod-public-{az[-1]}",
                    account,
                    region,
                ),
            )
        )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_alb,
                "hl-public-alb",
                "public ALB",
                vpc,
                account,
                [perm_from_cidr(443, "0.0.0.0/0", "https"), perm_from_cidr(80, "0.0.0.0/0", "http redirect")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_app,
                "bookings-api",
                "bookings-api tasks",
                vpc,
                account,
                [perm_from_sg(8080, sg_alb, account, "from ALB")],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_proxy,
                "hl-rds-proxies",
                "RDS proxies",
                vpc,
                account,
                [
                    perm_from_sg(3306, sg_app, account, "bookings-api"),
                    perm_from_cidr(3306, "10.42.0.0/16", "vpc"),
                ],
            ),
        )
    )
    resources.append(
        res(
            "ec2",
            "SecurityGroup",
            sg_item(
                sg_db,
                "hl-bookings-aurora",
                "Aurora bookings",
                vpc,
                account,
                [perm_from_sg(3306, sg_proxy, account, "proxies")],
            ),
        )
    )
    resources.append(res("elbv2", "LoadBalancer", alb_item))
    resources.append(res("elbv2", "TargetGroup", tg))
    resources.append(res("elbv2", "TargetGroup", tg_web))
    resources.append(
        res(
            "elbv2",
            "Listener",
            {
                "ListenerArn": listener_arn,
                "LoadBalancerArn": alb_arn,
                "Port": 443,
                "Protocol": "HTTPS",
                "Certificates": [
                    {"CertificateArn": f"arn:aws:acm:{region}:{account}:certificate/{ids.uuid()}"}
                ],
                "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_web_arn, "Order": 1}],
            },
        )
    )
    resources.append(
        res(
            "ecs",
            "Cluster",
            {
                "clusterArn": cluster_arn,
                "clusterName": cluster_name,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": desired + 6,
                "pendingTasksCount": 0,
                "activeServicesCount": 4,
                "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
                "settings": [{"name": "containerInsights", "value": "disabled"}],
            },
        )
    )
    svc_events = [
        {
            "id": ids.uuid(),
            "createdAt": iso_ms(now - timedelta(minutes=rng.randrange(2, 20))),
            "message": f"(service {svc_name}) has reached a steady state.",
        },
        {
            "id": ids.uuid(),
            "createdAt": iso_ms(deploy_at + timedelta(minutes=9)),
            "message": f"(service {svc_name}) (deployment ecs-svc/{rng.randrange(10**18, 10**19)}) deployment completed.",
        },
        {
            "id": ids.uuid(),
            "createdAt": iso_ms(deploy_at + timedelta(minutes=7)),
            "message": f"(service {svc_name}) has stopped {desired} running tasks: (task {task_ids[0]}) (task {task_ids[1]}).",
        },
        {
            "id": ids.uuid(),
            "createdAt": iso_ms(deploy_at + timedelta(minutes=2)),
            "message": f"(service {svc_name}) registered {desired} targets in (target-group {tg_arn})",
        },
        {
            "id": ids.uuid(),
            "createdAt": iso_ms(deploy_at + timedelta(seconds=50)),
            "message": f"(service {svc_name}) has started {desired} tasks: (task {new_task_ids[0]}) (task {new_task_ids[1]}).",
        },
    ]
    resources.append(
        res(
            "ecs",
            "Service",
            {
                "serviceArn": svc_arn,
                "serviceName": svc_name,
                "clusterArn": cluster_arn,
                "loadBalancers": [
                    {"targetGroupArn": tg_arn, "containerName": svc_name, "containerPort": 8080}
                ],
                "status": "ACTIVE",
                "desiredCount": desired,
                "runningCount": desired,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "platformFamily": "Linux",
                "taskDefinition": td_arn,
                "deploymentConfiguration": {
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                },
                "deployments": [
                    {
                        "id": f"ecs-svc/{rng.randrange(10**18, 10**19)}",
                        "status": "PRIMARY",
                        "taskDefinition": td_arn,
                        "desiredCount": desired,
                        "pendingCount": 0,
                        "runningCount": desired,
                        "failedTasks": 0,
                        "createdAt": iso_ms(deploy_at),
                        "updatedAt": iso_ms(deploy_at + timedelta(minutes=9)),
                        "launchType": "FARGATE",
                        "platformVersion": "1.4.0",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": "ECS deployment ecs-svc completed.",
                    }
                ],
                "events": svc_events,
                "createdAt": iso_ms(day - timedelta(days=540)),
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": [s for s, _a, _z in subnets],
                        "securityGroups": [sg_app],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
                "schedulingStrategy": "REPLICA",
                "deploymentController": {"type": "ECS"},
                "enableECSManagedTags": True,
                "propagateTags": "SERVICE",
                "enableExecuteCommand": False,
            },
        )
    )
    resources.append(
        res(
            "ecs",
            "TaskDefinition",
            {
                "taskDefinitionArn": td_arn,
                "family": svc_name,
                "revision": td_rev,
                "taskRoleArn": f"arn:aws:iam::{account}:role/{svc_name}-task",
                "executionRoleArn": f"arn:aws:iam::{account}:role/ecsTaskExecutionRole",
                "networkMode": "awsvpc",
                "status": "ACTIVE",
                "requiresCompatibilities": ["FARGATE"],
                "compatibilities": ["EC2", "FARGATE"],
                "cpu": "1024",
                "memory": "2048",
                "registeredAt": iso_ms(deploy_at),
                "registeredBy": ci.identity["arn"],
                "containerDefinitions": [
                    {
                        "name": svc_name,
                        "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{svc_name}:{ids.hexs(7)}",
                        "cpu": 1024,
                        "memory": 2048,
                        "essential": True,
                        "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                        "environment": [
                            {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
                            {
                                "name": "DB_HOST",
                                "value": f"{proxy}.proxy-{ids.alnum(12, upper=False)}.{region}.rds.amazonaws.com",
                            },
                            {"name": "HIKARI_MAXIMUM_POOL_SIZE", "value": str(pool_size)},
                            {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"},
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": lg,
                                "awslogs-region": region,
                                "awslogs-stream-prefix": "ecs",
                            },
                        },
                    }
                ],
            },
        )
    )
    endpoint_suffix = ids.alnum(12, upper=False)
    resources.append(
        res(
            "rds",
            "DBCluster",
            {
                "DBClusterIdentifier": db_cluster,
                "DBClusterArn": f"arn:aws:rds:{region}:{account}:cluster:{db_cluster}",
                "Status": "available",
                "Engine": "aurora-mysql",
                "EngineVersion": "8.0.mysql_aurora.3.05.2",
                "Endpoint": f"{db_cluster}.cluster-{endpoint_suffix}.{region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{db_cluster}.cluster-ro-{endpoint_suffix}.{region}.rds.amazonaws.com",
                "Port": 3306,
                "MultiAZ": True,
                "AvailabilityZones": [a for a, _ in azs],
                "DBClusterParameterGroup": "hl-aurora-mysql80",
                "DBSubnetGroup": "hl-prod-db",
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": writer,
                        "IsClusterWriter": True,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                    {
                        "DBInstanceIdentifier": reader,
                        "IsClusterWriter": False,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    },
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "StorageEncrypted": True,
                "BackupRetentionPeriod": 14,
                "PreferredBackupWindow": "02:10-02:40",
                "PreferredMaintenanceWindow": "sun:03:30-sun:04:00",
                "ClusterCreateTime": iso(day - timedelta(days=700)),
                "DeletionProtection": True,
            },
        )
    )
    for ident, az, role_writer in ((writer, azs[0][0], True), (reader, azs[1][0], False)):
        resources.append(
            res(
                "rds",
                "DBInstance",
                {
                    "DBInstanceIdentifier": ident,
                    "DBInstanceClass": "db.r6g.large",
                    "Engine": "aurora-mysql",
                    "EngineVersion": "8.0.mysql_aurora.3.05.2",
                    "DBInstanceStatus": "available",
                    "Endpoint": {
                        "Address": f"{ident}.{endpoint_suffix}.{region}.rds.amazonaws.com",
                        "Port": 3306,
                        "HostedZoneId": "Z1TTGA775OQIYO",
                    },
                    "AvailabilityZone": az,
                    "DBClusterIdentifier": db_cluster,
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
                    ],
                    "PubliclyAccessible": False,
                    "StorageEncrypted": True,
                    "PromotionTier": 1,
                    "PerformanceInsightsEnabled": True,
                    "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{ident}",
                    "InstanceCreateTime": iso(day - timedelta(days=300 if role_writer else 250)),
                    "AutoMinorVersionUpgrade": True,
                },
            )
        )
    proxy_host = f"{proxy}.proxy-{endpoint_suffix}.{region}.rds.amazonaws.com"
    for pname, parn, created, secret in (
        (proxy, proxy_arn, proxy_created, secret_arn),
        (insights_proxy, ins_proxy_arn, ins_created, ins_secret_arn),
    ):
        resources.append(
            res(
                "rds",
                "DBProxy",
                {
                    "DBProxyName": pname,
                    "DBProxyArn": parn,
                    "Status": "available",
                    "EngineFamily": "MYSQL",
                    "VpcId": vpc,
                    "VpcSecurityGroupIds": [sg_proxy],
                    "VpcSubnetIds": [s for s, _a, _z in subnets],
                    "Auth": [
                        {
                            "AuthScheme": "SECRETS",
                            "SecretArn": secret,
                            "IAMAuth": "DISABLED",
                            "ClientPasswordAuthType": "MYSQL_NATIVE_PASSWORD",
                        }
                    ],
                    "RoleArn": proxy_role,
                    "Endpoint": f"{pname}.proxy-{endpoint_suffix}.{region}.rds.amazonaws.com"
                    if pname != proxy
                    else proxy_host,
                    "RequireTLS": True,
                    "IdleClientTimeout": 1800,
                    "DebugLogging": False,
                    "CreatedDate": iso_ms(created),
                    "UpdatedDate": iso_ms(created + timedelta(minutes=8)),
                },
            )
        )
    resources.append(
        res(
            "rds",
            "DBProxyTargetGroup",
            {
                "DBProxyName": proxy,
                "TargetGroupName": "default",
                "TargetGroupArn": proxy_tg_arn,
                "IsDefault": True,
                "Status": "available",
                "ConnectionPoolConfig": {
                    "MaxConnectionsPercent": new_pct,
                    "MaxIdleConnectionsPercent": 15,
                    "ConnectionBorrowTimeout": borrow_timeout,
                    "SessionPinningFilters": [],
                },
                "CreatedDate": iso_ms(proxy_created),
                "UpdatedDate": iso_ms(change_at),
            },
        )
    )
    resources.append(
        res(
            "rds",
            "DBProxyTargetGroup",
            {
                "DBProxyName": insights_proxy,
                "TargetGroupName": "default",
                "TargetGroupArn": ins_tg_arn,
                "IsDefault": True,
                "Status": "available",
                "ConnectionPoolConfig": {
                    "MaxConnectionsPercent": insights_pct,
                    "MaxIdleConnectionsPercent": 10,
                    "ConnectionBorrowTimeout": 120,
                    "SessionPinningFilters": [],
                },
                "CreatedDate": iso_ms(ins_created),
                "UpdatedDate": iso_ms(ins_created + timedelta(minutes=9)),
            },
        )
    )
    for pname, tgarn in ((proxy, proxy_tg_arn), (insights_proxy, ins_tg_arn)):
        resources.append(
            res(
                "rds",
                "DBProxyTarget",
                {
                    "DBProxyName": pname,
                    "TargetArn": tgarn,
                    "TrackedClusterId": db_cluster,
                    "RdsResourceId": db_cluster,
                    "Type": "TRACKED_CLUSTER",
                },
            )
        )
        resources.append(
            res(
                "rds",
                "DBProxyTarget",
                {
                    "DBProxyName": pname,
                    "Endpoint": f"{writer}.{endpoint_suffix}.{region}.rds.amazonaws.com",
                    "TrackedClusterId": db_cluster,
                    "RdsResourceId": writer,
                    "Port": 3306,
                    "Type": "RDS_INSTANCE",
                    "Role": "READ_WRITE",
                    "TargetHealth": {"State": "AVAILABLE"},
                },
            )
        )
    resources.append(
        res(
            "logs",
            "LogGroup",
            {
                "logGroupName": lg,
                "creationTime": int((day - timedelta(days=540)).timestamp() * 1000),
                "retentionInDays": 30,
                "metricFilterCount": 0,
                "arn": f"arn:aws:logs:{region}:{account}:log-group:{lg}:*",
                "storedBytes": rng.randrange(10**10, 4 * 10**10),
            },
        )
    )

    # --- events -------------------------------------------------------------------------------------
    events: list[dict[str, Any]] = []
    base_ips = [f"10.42.{rng.randrange(16, 63)}.{rng.randrange(5, 250)}" for _ in range(desired)]
    new_ips = [f"10.42.{rng.randrange(16, 63)}.{rng.randrange(5, 250)}" for _ in range(desired)]
    for i in range(desired):
        az = azs[i % 3][0]
        events.append(target_health_point(tg_arn, base_ips[i], 8080, az, "healthy", start))
        events.append(
            target_health_point(
                tg_arn,
                new_ips[i],
                8080,
                az,
                "initial",
                deploy_at + timedelta(seconds=90),
                "Elb.RegistrationInProgress",
            )
        )
        events.append(
            target_health_point(
                tg_arn, new_ips[i], 8080, az, "healthy", deploy_at + timedelta(seconds=150 + i * 5)
            )
        )
        events.append(
            target_health_point(
                tg_arn,
                base_ips[i],
                8080,
                az,
                "draining",
                deploy_at + timedelta(minutes=4),
                "Target.DeregistrationInProgress",
            )
        )
        events.append(
            target_health_point(
                tg_arn,
                base_ips[i],
                8080,
                az,
                "unused",
                deploy_at + timedelta(minutes=7),
                "Target.NotRegistered",
            )
        )
    for ev in svc_events:
        events.append({"source": "ecs", "item": {"service_arn": svc_arn, "event": ev}})

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": iso(start),
            "end": iso(end),
            "now": iso(now),
            "trigger": {
                "question": (
                    f"Customers can't complete ferry bookings since about {onset.astimezone(TZ):%-I:%M%p}".replace(
                        "AM", "am"
                    ).replace("PM", "pm")
                    + ". Sailings pages load fine but holds and checkout spin for ages and then error. bookings-api tasks all look healthy. What's going on?"
                ),
                "alarm_event": event,
                "timezone": "Europe/London",
            },
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": proxy,
                    "category": "change",
                    "failure_mode": "proxy-connection-pool-cap-lowered",
                    "event_id": culprit["eventID"],
                },
                "also_accept": [proxy_arn, proxy_tg_arn, f"{proxy}/default"],
                "actions": ["rollback", "reconfigure"],
                "chain": [
                    f"That morning {proxy}'s default target group had MaxConnectionsPercent lowered from {old_pct} to {new_pct} (to make room for {insights_proxy}).",
                    f"At the evening peak bookings-api needed more database connections than the {max_conn * new_pct // 100} the proxy may now open.",
                    "Queries waited for a free connection and failed after the 30 s borrow timeout (MySQL error 9501).",
                    "bookings-api returned 500s on holds and bookings; hl-public-alb target 5xx alarm fired.",
                ],
            },
        }
    )
    history.sort(key=lambda h: str(h["Timestamp"]))
    return Bundle(
        manifest,
        {
            "metrics": m.sorted_rows(),
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs.sorted(),
            "cloudtrail": trail.sorted(),
            "resources": resources,
            "events": events,
        },
    )
