"""A max_connections cut in the orders DB's parameter group waits for a reboot; the reboot happens days later."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    REGIONS,
    UA_CLI,
    AlarmSpec,
    Kit,
    Principal,
    alb,
    alb_minute,
    db_instance,
    diurnal,
    ecs_cluster,
    ecs_service,
    healthy_targets,
    iam_role,
    iso,
    log_group,
    ms,
    network,
    pg_line,
    pick_day,
    rds_event,
    routine_reads,
    security_group,
    spring_line,
    target_group,
)

NAME = "orders-pg-max-connections"
TITLE = "orders API intermittent 500s after a database reboot"
SUMMARY = "max_connections in orders-pg15 was lowered (pending-reboot) two days earlier; an unrelated reboot applies it and the services run out of connection slots."

RDS = "rds.amazonaws.com"


def _modify_pg(kit: Kit, t: datetime, who: Principal, group: str, params: list[tuple[str, str, str]]) -> str:
    rec = kit.ct(
        t,
        who,
        RDS,
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": group,
            "parameters": [
                {"parameterName": n, "parameterValue": v, "applyMethod": m, "isModifiable": False}
                for n, v, m in params
            ],
        },
        {"dBParameterGroupName": group},
    )
    for n, v, m in params:
        rds_event(
            kit,
            t + timedelta(seconds=kit.rng.randint(1, 4)),
            group,
            "db-parameter-group",
            f"Updated parameter {n} to {v} with apply method {m}",
            ["configuration change"],
        )
    return str(rec["eventID"])


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    region, utc_off, tz = REGIONS[[0, 1, 4][kit.rng.randrange(3)]]
    kit.region = region
    zone = ZoneInfo(tz)
    day = pick_day(kit)
    local = datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(hours=kit.rng.uniform(18.8, 20.2))
    reboot = local.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    start = (reboot - timedelta(days=2, hours=kit.rng.uniform(6, 10))).replace(second=0)
    now = reboot + timedelta(minutes=kit.rng.randint(35, 55), seconds=kit.rng.randint(0, 59))
    fine_from = reboot - timedelta(hours=kit.rng.uniform(4, 5))
    created = day - timedelta(days=kit.rng.randint(300, 800))

    db = "orders-db"
    pg = "orders-pg15"
    old_max = kit.rng.choice([600, 800])
    new_max = kit.rng.choice([150, 180, 200])
    cluster = "commerce-prod"
    net = network(kit, "commerce-prod", created)
    sg_alb = security_group(kit, net, "orders-alb", "orders api ALB", 443, None)
    sg_svc = security_group(kit, net, "order-service", "order-service tasks", 8080, sg_alb)
    sg_db = security_group(kit, net, "orders-db", "orders-db from commerce services", 5432, sg_svc)
    lb_arn, lb_dim = alb(kit, net, "orders-api", sg_alb, created)
    tg_arn, tg_dim = target_group(
        kit, net, "order-service-8080", 8080, lb_arn, "ip", "/actuator/health/liveness"
    )
    ecs_cluster(kit, cluster, 20, 4)
    n_api, n_wrk = 12, 4
    ecs_service(
        kit,
        cluster,
        "order-service",
        kit.rng.randint(300, 400),
        n_api,
        net,
        sg_svc,
        tg_arn,
        8080,
        reboot - timedelta(days=kit.rng.randint(3, 8)),
        created,
    )
    ecs_service(
        kit,
        cluster,
        "order-worker",
        kit.rng.randint(100, 200),
        n_wrk,
        net,
        sg_svc,
        None,
        8080,
        reboot - timedelta(days=kit.rng.randint(3, 8)),
        created,
    )
    iam_role(kit, "order-service-task", created, "ecs-tasks.amazonaws.com")
    dbi = db_instance(
        kit,
        db,
        engine="postgres",
        version="15.5",
        klass="db.r6g.xlarge",
        storage_gb=500,
        storage_type="gp3",
        created=created,
        net=net,
        sg=sg_db,
        param_group=pg,
        max_storage=1000,
    )
    kit.res(
        "rds",
        "DBParameterGroup",
        {
            "DBParameterGroupName": pg,
            "DBParameterGroupFamily": "postgres15",
            "Description": "orders-db tuned parameters",
            "DBParameterGroupArn": kit.arn("rds", f"pg:{pg}"),
        },
    )
    log_group(kit, f"/aws/rds/instance/{db}/postgresql", created, 7)
    log_group(kit, "/ecs/order-service", created, 30)
    tasks = [
        (
            f"{net.cidr16}.{16 * (i % 3 + 1) + kit.rng.randint(0, 15)}.{kit.rng.randint(2, 254)}",
            net.subnets[i % 3][1],
        )
        for i in range(n_api)
    ]
    healthy_targets(kit, tg_arn, [(ip, 8080, az) for ip, az in tasks], start)

    # --- CloudTrail: the tuning change two days before, then today's change + reboot ------------------
    dba = kit.sso_user(
        kit.rng.choice(["anika.brandt", "luis.ferreira", "mei.chen"]) + "@parcelhub.com",
        "DatabaseAdmin",
        creation=start,
    )
    t_tune = start + timedelta(hours=kit.rng.uniform(4, 9))
    kit.ct(
        t_tune - timedelta(minutes=6),
        dba,
        RDS,
        "DescribeDBParameters",
        {"dBParameterGroupName": pg, "source": "user"},
        None,
        read_only=True,
    )
    culprit = _modify_pg(
        kit,
        t_tune,
        dba,
        pg,
        [("work_mem", "65536", "immediate"), ("max_connections", str(new_max), "pending-reboot")],
    )
    kit.ct(
        t_tune + timedelta(minutes=2),
        dba,
        RDS,
        "DescribeDBInstances",
        {"dBInstanceIdentifier": db},
        None,
        read_only=True,
    )
    eng = kit.sso_user(
        kit.rng.choice(["ben.adeyemi", "clara.novak", "ivan.petrov"]) + "@parcelhub.com",
        "PlatformEngineer",
        creation=reboot - timedelta(minutes=60),
    )
    t_lib = reboot - timedelta(minutes=kit.rng.randint(18, 27))
    kit.ct(
        t_lib - timedelta(minutes=4),
        eng,
        RDS,
        "DescribeDBParameters",
        {"dBParameterGroupName": pg},
        None,
        read_only=True,
    )
    _modify_pg(
        kit,
        t_lib,
        eng,
        pg,
        [
            ("shared_preload_libraries", "pg_stat_statements,auto_explain", "pending-reboot"),
            ("auto_explain.log_min_duration", "2000", "immediate"),
        ],
    )
    kit.ct(
        reboot,
        eng,
        RDS,
        "RebootDBInstance",
        {"dBInstanceIdentifier": db},
        {
            "dBInstanceIdentifier": db,
            "dBInstanceClass": "db.r6g.xlarge",
            "engine": "postgres",
            "dBInstanceStatus": "rebooting",
            "engineVersion": "15.5",
            "multiAZ": True,
            "dBParameterGroups": [{"dBParameterGroupName": pg, "parameterApplyStatus": "pending-reboot"}],
        },
    )
    for k in range(3):
        kit.ct(
            reboot + timedelta(seconds=40 + 45 * k + kit.rng.randint(0, 20)),
            eng,
            RDS,
            "DescribeDBInstances",
            {"dBInstanceIdentifier": db},
            None,
            read_only=True,
        )
    ci = kit.role_session(
        "gha-commerce-deploy",
        "GitHubActions",
        UA_CLI.format(p=31, cmd="ssm.put-parameter"),
        kit.public_ip(),
        creation=reboot - timedelta(minutes=30),
    )
    t_flag = reboot - timedelta(minutes=kit.rng.randint(5, 14))
    kit.ct(
        t_flag,
        ci,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/commerce/cart-service/feature/express-checkout", "type": "String", "overwrite": True},
        {"version": kit.rng.randint(5, 30), "tier": "Standard"},
    )
    obs = kit.role_session(
        "observability-readonly",
        f"poller-{kit.hex(6)}",
        "aws-sdk-go/1.51.21 (go1.22.1; linux; amd64)",
        kit.public_ip(),
        creation=start,
    )
    routine_reads(
        kit,
        start,
        now,
        [
            (obs, RDS, "DescribeDBInstances", None),
            (obs, RDS, "DescribeEvents", {"duration": 60}),
            (
                obs,
                "ecs.amazonaws.com",
                "DescribeServices",
                {"cluster": cluster, "services": ["order-service", "order-worker"]},
            ),
            (obs, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", {"targetGroupArn": tg_arn}),
            (dba, RDS, "DescribeDBLogFiles", {"dBInstanceIdentifier": db}),
        ],
        kit.rng.randint(26, 34),
    )

    # --- RDS events: reboot --------------------------------------------------------------------------
    down = reboot + timedelta(seconds=kit.rng.randint(8, 20))
    up = down + timedelta(seconds=kit.rng.randint(45, 80))
    rds_event(kit, down, db, "db-instance", "DB instance shutdown", ["availability"])
    rds_event(kit, up, db, "db-instance", "DB instance restarted", ["availability"])
    for dn in range(3):
        b = (start + timedelta(days=dn)).replace(
            hour=3, minute=kit.rng.randint(11, 20), second=kit.rng.randint(0, 59)
        )
        if start <= b <= now:
            rds_event(kit, b, db, "db-instance", "Backing up DB instance", ["backup"])
            rds_event(
                kit,
                b + timedelta(minutes=kit.rng.randint(10, 19)),
                db,
                "db-instance",
                "Finished DB Instance backup",
                ["backup"],
            )

    # --- metrics ---------------------------------------------------------------------------------------
    rds_ns = "AWS/RDS"
    dd = {"DBInstanceIdentifier": db}
    cap = new_max - 3  # superuser_reserved_connections
    state: dict[datetime, float] = {}
    for t, step in kit.timeline(start, now, fine_from):
        f = diurnal(t, utc_off, 0.3)
        want = (n_api * kit.rng.uniform(14, 17) + n_wrk * 10 + 6) * (0.85 + 0.15 * f)
        if down <= t < up:
            kit.put(rds_ns, "CPUUtilization", dd, t, kit.noise(4, 0.3), "Percent")
            kit.put(rds_ns, "DatabaseConnections", dd, t, 0.0, "Count")
            state[t] = -1
            continue
        conns = want if t < up else min(want, cap + kit.rng.choice([0, 1, 2]))
        short = max(0.0, want - cap) if t >= up else 0.0
        state[t] = short
        kit.put(rds_ns, "DatabaseConnections", dd, t, float(round(conns)), "Count")
        kit.put(rds_ns, "CPUUtilization", dd, t, kit.noise(12 + 30 * f, 0.06), "Percent")
        kit.put(rds_ns, "FreeableMemory", dd, t, kit.noise(17.5 * 1024**3, 0.01), "Bytes")
        kit.put(rds_ns, "ReadIOPS", dd, t, kit.noise(150 + 900 * f, 0.08), "Count/Second")
        kit.put(rds_ns, "WriteIOPS", dd, t, kit.noise(300 + 700 * f, 0.08), "Count/Second")
        kit.put(rds_ns, "ReadLatency", dd, t, kit.noise(0.0009, 0.1), "Seconds")
        kit.put(rds_ns, "WriteLatency", dd, t, kit.noise(0.0013, 0.1), "Seconds")
        kit.put(rds_ns, "FreeStorageSpace", dd, t, kit.noise(262 * 1024**3, 0.0005), "Bytes")
        if step == 60:
            f2 = diurnal(t, utc_off, 0.25)
            req = kit.noise(2200 * f2 + 300, 0.04)
            if t < down:
                alb_minute(kit, lb_dim, tg_dim, t, req, 1 if kit.rng.random() < 0.06 else 0, 0.05, 0.3, n_api)
            else:
                frac = min(0.45, short / max(1.0, want) * 1.6)
                alb_minute(
                    kit,
                    lb_dim,
                    tg_dim,
                    t,
                    req,
                    req * frac * kit.rng.uniform(0.8, 1.2),
                    0.07 + frac * 0.5,
                    3.2 if frac else 0.3,
                    n_api,
                )
            ecs_cpu = kit.noise(28 + 30 * f2, 0.05)
            kit.put(
                "AWS/ECS",
                "CPUUtilization",
                {"ClusterName": cluster, "ServiceName": "order-service"},
                t,
                ecs_cpu,
                "Percent",
            )
            kit.put(
                "AWS/ECS",
                "MemoryUtilization",
                {"ClusterName": cluster, "ServiceName": "order-service"},
                t,
                kit.noise(55, 0.02),
                "Percent",
            )
    for t in [t for t, s in kit.timeline(down, up + timedelta(minutes=1), down) if s == 60]:
        alb_minute(kit, lb_dim, tg_dim, t, kit.noise(1400, 0.05), kit.noise(700, 0.1), 0.4, 5.0, n_api)

    # --- logs --------------------------------------------------------------------------------------------
    pglog: list[tuple[datetime, str]] = []
    ppid = kit.rng.randint(300, 600)
    users = [("order_svc", "orders"), ("order_worker", "orders")]
    for i in range(kit.rng.randint(10, 16)):
        at = start + timedelta(seconds=kit.rng.uniform(0, (now - start).total_seconds()))
        u, d = kit.rng.choice(users)
        pglog.append(
            (
                at,
                pg_line(
                    at,
                    f"{net.cidr16}.{kit.rng.randint(16, 60)}.{kit.rng.randint(2, 254)}({kit.rng.randint(30000, 60000)})",
                    u,
                    d,
                    kit.rng.randint(1000, 30000),
                    "LOG",
                    f"duration: {kit.rng.randint(1001, 4800)}.{kit.rng.randint(100, 999)} ms  statement: SELECT o.* FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.customer_id = $1 ORDER BY o.created_at DESC LIMIT 50",
                ),
            )
        )
        del i
    for at, msg in [
        (t_tune + timedelta(seconds=3), "received SIGHUP, reloading configuration files"),
        (t_tune + timedelta(seconds=3), 'parameter "work_mem" changed to "65536"'),
        (
            t_tune + timedelta(seconds=3),
            'parameter "max_connections" cannot be changed without restarting the server',
        ),
        (t_lib + timedelta(seconds=3), "received SIGHUP, reloading configuration files"),
        (
            t_lib + timedelta(seconds=3),
            'parameter "shared_preload_libraries" cannot be changed without restarting the server',
        ),
        (down, "received fast shutdown request"),
        (down + timedelta(seconds=1), "aborting any active transactions"),
        (down + timedelta(seconds=4), "database system is shut down"),
        (
            up - timedelta(seconds=6),
            "starting PostgreSQL 15.5 on aarch64-unknown-linux-gnu, compiled by aarch64-unknown-linux-gnu-gcc (GCC) 9.5.0, 64-bit",
        ),
        (up - timedelta(seconds=6), 'listening on IPv4 address "0.0.0.0", port 5432'),
        (
            up - timedelta(seconds=2),
            "database system was shut down at " + f"{down + timedelta(seconds=4):%Y-%m-%d %H:%M:%S} UTC",
        ),
        (up, "database system is ready to accept connections"),
    ]:
        pglog.append((at, pg_line(at, "", "", "", ppid, "LOG", msg)))
    for t, short in state.items():
        if short > 0:
            for _ in range(min(6, 1 + int(short / 12))):
                at = kit.jitter(t, 59)
                u, d = kit.rng.choice(users)
                msg = (
                    "remaining connection slots are reserved for non-replication superuser connections"
                    if kit.rng.random() < 0.8
                    else "sorry, too many clients already"
                )
                pglog.append(
                    (
                        at,
                        pg_line(
                            at,
                            f"{net.cidr16}.{kit.rng.randint(16, 60)}.{kit.rng.randint(2, 254)}({kit.rng.randint(30000, 60000)})",
                            u,
                            d,
                            kit.rng.randint(30000, 40000),
                            "FATAL",
                            msg,
                        ),
                    )
                )
    pglog.sort()
    for at, line in pglog:
        kit.log(f"/aws/rds/instance/{db}/postgresql", db, at, line)
    hour = (fine_from - timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    while hour <= now:
        rows = [x for a, x in pglog if hour <= a < hour + timedelta(hours=1) and a <= now]
        last = max([a for a, _ in pglog if hour <= a < hour + timedelta(hours=1) and a <= now], default=hour)
        kit.res(
            "rds",
            "DBLogFile",
            {
                "DBInstanceIdentifier": db,
                "LogFileName": f"error/postgresql.log.{hour:%Y-%m-%d-%H}",
                "LastWritten": ms(last),
                "Size": sum(len(x) + 1 for x in rows),
                "Data": "".join(x + "\n" for x in rows),
            },
        )
        hour += timedelta(hours=1)
    group = "/ecs/order-service"
    streams = [f"order-service/order-service/{kit.hex(32)}" for _ in range(n_api)]
    for t, short in state.items():
        if t < fine_from:
            continue
        for _ in range(2):
            at = kit.jitter(t, 59)
            kit.log(
                group,
                kit.rng.choice(streams),
                at,
                spring_line(
                    at,
                    "INFO",
                    1,
                    "order-service",
                    f"nio-8080-exec-{kit.rng.randint(1, 64)}",
                    "c.p.orders.api.OrderController",
                    f"POST /v2/orders 201 {kit.rng.randint(25, 90)}ms",
                ),
            )
        if short < 0:
            at = kit.jitter(t, 59)
            kit.log(
                group,
                kit.rng.choice(streams),
                at,
                spring_line(
                    at,
                    "WARN",
                    1,
                    "order-service",
                    "HikariPool-1 housekeeper",
                    "com.zaxxer.hikari.pool.ProxyConnection",
                    "HikariPool-1 - Connection org.postgresql.jdbc.PgConnection@"
                    + kit.hex(7)
                    + " marked as broken because of SQLSTATE(57P01), ErrorCode(0)\norg.postgresql.util.PSQLException: FATAL: terminating connection due to administrator command",
                ),
            )
        elif short > 0:
            for _ in range(min(5, 1 + int(short / 15))):
                at = kit.jitter(t, 59)
                kit.log(
                    group,
                    kit.rng.choice(streams),
                    at,
                    spring_line(
                        at,
                        "ERROR",
                        1,
                        "order-service",
                        f"nio-8080-exec-{kit.rng.randint(1, 64)}",
                        "o.a.c.c.C.[.[.[/].[dispatcherServlet]",
                        "Servlet.service() for servlet [dispatcherServlet] threw exception [Request processing failed: org.springframework.transaction.CannotCreateTransactionException: "
                        "Could not open JPA EntityManager for transaction] with root cause\norg.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for non-replication superuser connections\n"
                        "\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)\n"
                        "\tat org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:203)\n"
                        "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:258)\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.createPoolEntry(HikariPool.java:477)",
                    ),
                )
            if kit.rng.random() < 0.3:
                at = kit.jitter(t, 59)
                kit.log(
                    group,
                    kit.rng.choice(streams),
                    at,
                    spring_line(
                        at,
                        "WARN",
                        1,
                        "order-service",
                        "HikariPool-1 connection adder",
                        "com.zaxxer.hikari.pool.HikariPool",
                        "HikariPool-1 - Pool is below minimum idle (total=6, active=6, idle=0, waiting="
                        + str(kit.rng.randint(3, 20))
                        + ")",
                    ),
                )
        if kit.rng.random() < 0.01:
            at = kit.jitter(t, 59)
            kit.log(
                group,
                kit.rng.choice(streams),
                at,
                spring_line(
                    at,
                    "WARN",
                    1,
                    "order-service",
                    "scheduling-1",
                    "c.p.orders.tax.TaxRateCache",
                    "tax rate refresh for region=EU fell back to cached table (upstream 504)",
                ),
            )

    # --- alarms --------------------------------------------------------------------------------------------
    topic = kit.arn("sns", "commerce-oncall")
    eval_from = fine_from + timedelta(minutes=10)
    kit.alarm(
        AlarmSpec(
            "orders-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"LoadBalancer": lb_dim},
            "Sum",
            60,
            5,
            100.0,
            "GreaterThanOrEqualToThreshold",
            datapoints_to_alarm=3,
            treat_missing="notBreaching",
            actions=[topic],
            ok_actions=[topic],
        ),
        eval_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "orders-db-cpu-high",
            "AWS/RDS",
            "CPUUtilization",
            dd,
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        eval_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "orders-db-connections-high",
            "AWS/RDS",
            "DatabaseConnections",
            dd,
            "Maximum",
            300,
            2,
            500.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        eval_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            "orders-db-free-storage-low",
            "AWS/RDS",
            "FreeStorageSpace",
            dd,
            "Minimum",
            300,
            1,
            50 * 1024**3,
            "LessThanThreshold",
            actions=[topic],
        ),
        eval_from,
        now,
    )
    dbi["DBParameterGroups"] = [{"DBParameterGroupName": pg, "ParameterApplyStatus": "in-sync"}]

    clock = reboot.astimezone(zone)
    hh = clock.strftime("%I:%M").lstrip("0")
    question = (
        f"We rebooted orders-db at around {hh}pm to load pg_stat_statements and since then the orders API throws "
        "500s on and off. It was fine before. Can you find out why?"
    )
    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": pg,
            "category": "change",
            "failure_mode": "max-connections-lowered",
            "event_id": culprit,
        },
        "also_accept": [kit.arn("rds", f"pg:{pg}")],
        "actions": ["rollback", "restart"],
        "chain": [
            f"ModifyDBParameterGroup on {pg} set max_connections {old_max} -> {new_max} (pending-reboot) two days earlier",
            f"RebootDBInstance of {db} applied it",
            f"{db} refuses connections past ~{cap} (FATAL: remaining connection slots are reserved)",
            "order-service Hikari pools cannot open connections; orders-api returns 500s",
        ],
    }
    return kit.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": tz},
            "truth": truth,
        },
        now,
    )
