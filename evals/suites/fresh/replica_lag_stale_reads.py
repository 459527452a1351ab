"""A PostgreSQL read replica stops replaying WAL while a long report runs; the web app reads stale data."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    AlarmSpec,
    Kit,
    alb,
    alb_minute,
    db_instance,
    ecs_cluster,
    ecs_service,
    healthy_targets,
    iam_role,
    iso,
    log_group,
    network,
    pg_line,
    security_group,
    spring_line,
    target_group,
)
from evals.suites.fresh._kit_f import (
    Json,
    assume_roles,
    clock,
    clock_words,
    ecs_util,
    local,
    people,
    routine_reads,
    sns_topic,
    task_id,
    wave,
)

NAME = "replica-standby-delay-stale-reads"
TITLE = "customers see old balances and missing payments in the web app"
SUMMARY = (
    "max_standby_streaming_delay was set to -1 on the replica's parameter group to stop report queries "
    "being cancelled; the next hourly reconciliation query holds WAL replay, ReplicaLag climbs and the "
    "web app, which reads from the replica, serves stale balances and 404s for fresh payments."
)

GiB = 1024**3


def _param(
    group: str, name: str, value: str, source: str, apply_type: str, desc: str, allowed: str, method: str
) -> Json:
    return {
        "DBParameterGroupName": group,
        "ParameterName": name,
        "ParameterValue": value,
        "Description": desc,
        "Source": source,
        "ApplyType": apply_type,
        "DataType": "integer" if allowed[0].isdigit() or allowed[0] == "-" else "boolean",
        "AllowedValues": allowed,
        "IsModifiable": True,
        "ApplyMethod": method,
    }


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    c = clock(kit, local_hours=(10, 16), before=timedelta(hours=7), after_min=(38, 52))
    rng = kit.rng
    # the hourly reconciliation starts at a fixed minute past the hour; the onset is a run
    run_minute = rng.choice([5, 10, 20, 35])
    T = c.onset.replace(minute=run_minute, second=rng.randint(1, 4), microsecond=0)
    c.onset = T
    c.now = T + timedelta(minutes=rng.randint(38, 52), seconds=rng.randint(0, 59))
    c.start = (T - timedelta(hours=7)).replace(minute=0, second=0)
    app = rng.choice(["tally", "pennywise", "ledgerly"])
    primary = f"{app}-pg"
    replica = f"{app}-pg-replica-1"
    pg_primary = f"{app}-pg15"
    pg_replica = f"{app}-pg15-replica"
    web = f"{app}-web"
    recon = "ledger-recon"
    notifier = f"{app}-notifier"
    created = c.start - timedelta(days=rng.randint(200, 600))
    who = people(kit, c, rng.choice(["tallyapp.com", "pennywise.money", "ledgerly.eu"]))
    # a data engineer changes the replica's parameter group
    analyst = kit.sso_user(
        f"{rng.choice(['hana', 'oscar', 'bea', 'yusuf'])}.{rng.choice(['kim', 'reyes', 'olsen', 'dubois'])}@{who.admin.identity['principalId'].split('@')[1]}",
        "DataEngineer",
        console=True,
        creation=T - timedelta(hours=2),
    )

    net = network(kit, f"{app}-prod", created)
    alb_sg = security_group(kit, net, f"{web}-alb", "public ALB", 443, None)
    app_sg = security_group(kit, net, f"{app}-ecs-tasks", "ECS tasks", 8080, alb_sg)
    db_sg = security_group(kit, net, f"{app}-postgres", "PostgreSQL from tasks", 5432, app_sg)
    lb_arn, lb_dim = alb(kit, net, f"{web}-prod", alb_sg, created)
    tg_arn, tg_dim = target_group(kit, net, f"{web}-tg", 8080, lb_arn, "ip", "/actuator/health")
    topic = sns_topic(kit, f"{app}-alerts")
    cluster = f"{app}-prod"
    ecs_cluster(kit, cluster, 7, 3)
    web_arn, _ = ecs_service(
        kit,
        cluster,
        web,
        rng.randint(300, 480),
        4,
        net,
        app_sg,
        tg_arn,
        8080,
        c.start - timedelta(days=rng.randint(1, 5)),
        created,
    )
    deploy_n = T - timedelta(minutes=rng.randint(14, 22), seconds=rng.randint(0, 59))
    n_rev = rng.randint(40, 90)
    n_arn, n_td = ecs_service(kit, cluster, notifier, n_rev, 2, net, app_sg, None, 8080, deploy_n, created)
    sched_role = iam_role(kit, f"{recon}-scheduler", created, "scheduler.amazonaws.com")
    task_role = iam_role(kit, f"{web}-task", created, "ecs-tasks.amazonaws.com")
    iam_role(kit, f"{recon}-task", created, "ecs-tasks.amazonaws.com")
    db_instance(
        kit,
        primary,
        engine="postgres",
        version="15.5",
        klass="db.r6g.2xlarge",
        storage_gb=800,
        storage_type="gp3",
        created=created,
        net=net,
        sg=db_sg,
        param_group=pg_primary,
        replicas=[replica],
        max_storage=2000,
        iops=12000,
    )
    db_instance(
        kit,
        replica,
        engine="postgres",
        version="15.5",
        klass="db.r6g.xlarge",
        storage_gb=800,
        storage_type="gp3",
        created=created + timedelta(days=30),
        net=net,
        sg=db_sg,
        param_group=pg_replica,
        multi_az=False,
        az_index=1,
        replica_of=primary,
        iops=12000,
    )
    for g in (f"/ecs/{web}", f"/ecs/{recon}", f"/ecs/{notifier}"):
        log_group(kit, g, created, 30)
    for db in (primary, replica):
        log_group(kit, f"/aws/rds/instance/{db}/postgresql", created, 14)
    common = [
        (
            "log_min_duration_statement",
            "2000",
            "user",
            "dynamic",
            "Sets the minimum execution time above which statements will be logged.",
            "-1-2147483647",
            "immediate",
        ),
        (
            "log_autovacuum_min_duration",
            "10000",
            "engine-default",
            "dynamic",
            "Sets the minimum execution time above which autovacuum actions will be logged.",
            "-1-2147483647",
            "pending-reboot",
        ),
        (
            "hot_standby_feedback",
            "0",
            "engine-default",
            "dynamic",
            "Allows feedback from a hot standby to the primary that will avoid query conflicts.",
            "0,1",
            "pending-reboot",
        ),
    ]
    for name, value, src, at, desc, allowed, method in common:
        kit.res("rds", "DBParameter", _param(pg_primary, name, value, src, at, desc, allowed, method))
        kit.res("rds", "DBParameter", _param(pg_replica, name, value, src, at, desc, allowed, method))
    kit.res(
        "rds",
        "DBParameter",
        _param(
            pg_replica,
            "max_standby_streaming_delay",
            "-1",
            "user",
            "dynamic",
            "Sets the maximum delay before canceling queries when a hot standby server is processing streamed WAL data.",
            "-1-2147483647",
            "immediate",
        ),
    )
    kit.res(
        "rds",
        "DBParameter",
        _param(
            pg_replica,
            "max_standby_archive_delay",
            "-1",
            "user",
            "dynamic",
            "Sets the maximum delay before canceling queries when a hot standby server is processing archived WAL data.",
            "-1-2147483647",
            "immediate",
        ),
    )
    kit.res(
        "rds",
        "DBParameter",
        _param(
            pg_primary,
            "max_standby_streaming_delay",
            "30000",
            "engine-default",
            "dynamic",
            "Sets the maximum delay before canceling queries when a hot standby server is processing streamed WAL data.",
            "-1-2147483647",
            "pending-reboot",
        ),
    )

    # --- the change ---------------------------------------------------------------------------------
    change_t = T - timedelta(minutes=rng.randint(36, 48), seconds=rng.randint(0, 59))
    look_t = change_t - timedelta(minutes=rng.randint(3, 6))
    kit.ct(
        look_t,
        analyst,
        "rds.amazonaws.com",
        "DescribeDBParameters",
        {"dBParameterGroupName": pg_replica, "source": "user"},
        None,
        read_only=True,
    )
    culprit = kit.ct(
        change_t,
        analyst,
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        {
            "dBParameterGroupName": pg_replica,
            "parameters": [
                {
                    "parameterName": "max_standby_streaming_delay",
                    "parameterValue": "-1",
                    "isModifiable": False,
                    "applyMethod": "immediate",
                },
                {
                    "parameterName": "max_standby_archive_delay",
                    "parameterValue": "-1",
                    "isModifiable": False,
                    "applyMethod": "immediate",
                },
            ],
        },
        {"dBParameterGroupName": pg_replica},
    )
    for i, pname in enumerate(("max_standby_streaming_delay", "max_standby_archive_delay")):
        kit.event(
            "rds",
            {
                "SourceIdentifier": pg_replica,
                "SourceType": "db-parameter-group",
                "Message": f"Updated parameter {pname} to -1 with apply method immediate",
                "EventCategories": ["configuration change"],
                "Date": iso(change_t + timedelta(seconds=1 + i)),
                "SourceArn": kit.arn("rds", f"pg:{pg_replica}"),
            },
        )

    # --- metrics --------------------------------------------------------------------------------------
    fine_from = T - timedelta(minutes=75)
    peak = rng.randint(900, 1700)
    ip_recon = f"{net.cidr16}.{32 + rng.randint(0, 15)}.{rng.randint(2, 254)}"

    def lag_at(t: datetime) -> float:
        if t >= T:
            return max(0.0, (t - T).total_seconds() - rng.uniform(0, 4))
        since = (t - t.replace(minute=run_minute, second=0)).total_seconds()
        if 0 <= since < 60:  # earlier runs: cancelled after 30 s of conflict
            return rng.uniform(18, 31)
        return rng.choice([0.0, 0.0, 0.0, 1.0])

    def stale_frac(t: datetime) -> float:
        lag = lag_at(t)
        return min(0.09, lag / 4000) if lag > 20 else 0.0

    for t, step in kit.timeline(c.start, c.now, fine_from):
        w = wave(t, c.utc_offset, 0.3)
        rpm = peak * w * rng.uniform(0.92, 1.08) * step / 60
        alb_minute(
            kit,
            lb_dim,
            tg_dim,
            t,
            rpm,
            rng.choice([0, 0, 0, 0, 1]) * step / 60,
            0.045,
            0.38,
            4,
            t4xx_rate=0.008 + stale_frac(t),
        )
        ecs_util(kit, cluster, web, t, 18 + 24 * w, 61, 4)
        ecs_util(kit, cluster, notifier, t, 6 + 4 * w, 33, 2)
        for ident, role in ((primary, "p"), (replica, "r")):
            d = {"DBInstanceIdentifier": ident}
            running = role == "r" and t >= T
            cpu = (21 + 25 * w) if role == "p" else (12 + 20 * w + (23 if running else 0))
            kit.put("AWS/RDS", "CPUUtilization", d, t, kit.noise(cpu, 0.06), "Percent")
            conns = (95 + 60 * w) if role == "p" else (40 + 35 * w + (1 if running else 0))
            kit.put("AWS/RDS", "DatabaseConnections", d, t, float(round(kit.noise(conns, 0.05))), "Count")
            kit.put(
                "AWS/RDS",
                "FreeableMemory",
                d,
                t,
                float(round(kit.noise((21 if role == "p" else 9.5) * GiB, 0.01))),
                "Bytes",
            )
            kit.put(
                "AWS/RDS",
                "FreeStorageSpace",
                d,
                t,
                float(
                    round(
                        (800 - 517 if role == "p" else 800 - 519) * GiB - (t - c.start).total_seconds() * 9000
                    )
                ),
                "Bytes",
            )
            kit.put(
                "AWS/RDS",
                "ReadIOPS",
                d,
                t,
                kit.noise(
                    (380 + 900 * w) if role == "p" else (210 + 500 * w + (2600 if running else 0)), 0.08
                ),
                "Count/Second",
            )
            kit.put("AWS/RDS", "WriteIOPS", d, t, kit.noise(640 + 800 * w, 0.07), "Count/Second")
            kit.put("AWS/RDS", "ReadLatency", d, t, kit.noise(0.0009, 0.1), "Seconds")
            if role == "p":
                kit.put(
                    "AWS/RDS",
                    "TransactionLogsGeneration",
                    d,
                    t,
                    kit.noise(2.1e6 * w + 2e5, 0.08),
                    "Bytes/Second",
                )
                kit.put("AWS/RDS", "TransactionLogsDiskUsage", d, t, kit.noise(3.1e9, 0.02), "Bytes")
            else:
                kit.put("AWS/RDS", "ReplicaLag", d, t, lag_at(t), "Seconds")

    task_ips = [
        f"{net.cidr16}.{16 * (i % 3 + 1) + rng.randint(0, 15)}.{rng.randint(2, 254)}" for i in range(4)
    ]
    azs = [z for _, z in net.subnets]
    healthy_targets(
        kit, tg_arn, [(ip, 8080, azs[i % 3]) for i, ip in enumerate(task_ips)], c.start - timedelta(days=2)
    )

    # --- logs -----------------------------------------------------------------------------------------
    wg = f"/ecs/{web}"
    for _ in range(4):
        stream = f"ecs/{web}/{task_id(kit)}"
        pid = 1
        t = c.start + timedelta(seconds=rng.uniform(0, 40))
        while t < c.now:
            fr = stale_frac(t)
            if fr and rng.random() < fr * 6:
                pay = f"pay_{kit.hex(20)}"
                kit.log(
                    wg,
                    stream,
                    t,
                    spring_line(
                        t,
                        "WARN",
                        pid,
                        web,
                        f"http-nio-8080-exec-{rng.randint(1, 40)}",
                        "c.t.payments.PaymentQueryController",
                        f"Payment {pay} not found for account acct_{kit.hex(12)}; returning 404",
                    ),
                )
            elif fr and rng.random() < fr * 3:
                kit.log(
                    wg,
                    stream,
                    t,
                    spring_line(
                        t,
                        "INFO",
                        pid,
                        web,
                        f"http-nio-8080-exec-{rng.randint(1, 40)}",
                        "c.t.balance.BalanceService",
                        f"Balance for acct_{kit.hex(12)} served from read pool (as_of_txn={rng.randint(10**8, 10**9)})",
                    ),
                )
            else:
                msg = rng.choice(
                    [
                        f"Completed GET /api/accounts/acct_{kit.hex(12)}/balance 200 in {rng.randint(9, 60)} ms",
                        f"Completed GET /api/accounts/acct_{kit.hex(12)}/transactions?limit=50 200 in {rng.randint(20, 140)} ms",
                        f"Completed POST /api/payments 201 in {rng.randint(40, 190)} ms",
                        f"Completed GET /api/payments/pay_{kit.hex(20)} 200 in {rng.randint(6, 40)} ms",
                    ]
                )
                kit.log(
                    wg,
                    stream,
                    t,
                    spring_line(
                        t,
                        "INFO",
                        pid,
                        web,
                        f"http-nio-8080-exec-{rng.randint(1, 40)}",
                        "c.t.web.RequestLogFilter",
                        msg,
                    ),
                )
            t += timedelta(
                seconds=rng.uniform(25, 55) if t < T - timedelta(minutes=5) else rng.uniform(5, 12)
            )
        tw = c.start + timedelta(minutes=rng.uniform(10, 300))
        kit.log(
            wg,
            stream,
            tw,
            spring_line(
                tw,
                "WARN",
                pid,
                web,
                "HikariPool-2 housekeeper",
                "com.zaxxer.hikari.pool.HikariPool",
                "HikariPool-2 - Thread starvation or clock leap detected (housekeeper delta=1m2s94ms).",
            ),
        )

    # reconciliation job: hourly, ECS task started by EventBridge Scheduler
    rg = f"/ecs/{recon}"
    run = c.start.replace(minute=run_minute, second=2)
    if run < c.start:
        run += timedelta(hours=1)
    sched = kit.role_session(
        f"{recon}-scheduler",
        kit.hex(32),
        "scheduler.amazonaws.com",
        "scheduler.amazonaws.com",
        creation=c.start,
    )
    sched.identity["invokedBy"] = "scheduler.amazonaws.com"
    rlog = f"/aws/rds/instance/{replica}/postgresql"
    while run <= c.now:
        tid = task_id(kit)
        st = f"ecs/{recon}/{tid}"
        kit.ct(
            run,
            sched,
            "ecs.amazonaws.com",
            "RunTask",
            {
                "cluster": cluster,
                "taskDefinition": f"{recon}:17",
                "count": 1,
                "launchType": "FARGATE",
                "startedBy": "chronos-schedule",
            },
            {
                "tasks": [{"taskArn": kit.arn("ecs", f"task/{cluster}/{tid}"), "lastStatus": "PROVISIONING"}],
                "failures": [],
            },
        )
        s0 = run + timedelta(seconds=rng.randint(38, 55))
        window = (run - timedelta(hours=1)).strftime("%Y-%m-%dT%H:00")
        kit.log(
            rg,
            st,
            s0,
            f"{s0:%Y-%m-%d %H:%M:%S},{s0.microsecond // 1000:03d} INFO recon: starting reconciliation window={window} source={replica}",
        )
        pid = rng.randint(20000, 60000)
        q = "SELECT l.account_id, sum(l.amount_minor) AS ledger_total, b.balance_minor FROM ledger_entries l JOIN balances b USING (account_id) WHERE l.posted_at < $1 GROUP BY l.account_id, b.balance_minor HAVING sum(l.amount_minor) <> b.balance_minor"
        if run < T:
            e = s0 + timedelta(seconds=rng.uniform(31, 34))
            kit.log(
                rlog,
                replica,
                e,
                pg_line(
                    e,
                    f"{ip_recon}({rng.randint(30000, 60000)})",
                    "recon",
                    app,
                    pid,
                    "ERROR",
                    "canceling statement due to conflict with recovery",
                ),
            )
            kit.log(
                rlog,
                replica,
                e,
                pg_line(
                    e,
                    f"{ip_recon}({rng.randint(30000, 60000)})",
                    "recon",
                    app,
                    pid,
                    "DETAIL",
                    "User query might have needed to see row versions that must be removed.",
                ),
            )
            kit.log(
                rlog,
                replica,
                e,
                pg_line(e, f"{ip_recon}({rng.randint(30000, 60000)})", "recon", app, pid, "STATEMENT", q),
            )
            kit.log(
                rg,
                st,
                e,
                f"{e:%Y-%m-%d %H:%M:%S},{e.microsecond // 1000:03d} ERROR recon: reconciliation failed: psycopg2.errors.SerializationFailure: canceling statement due to conflict with recovery\nDETAIL:  User query might have needed to see row versions that must be removed.",
            )
            kit.log(rg, st, e, f"{e:%Y-%m-%d %H:%M:%S},{e.microsecond // 1000:03d} INFO recon: exit status 1")
        else:
            tk = s0 + timedelta(minutes=5)
            while tk < c.now:
                kit.log(
                    rg,
                    st,
                    tk,
                    f"{tk:%Y-%m-%d %H:%M:%S},{tk.microsecond // 1000:03d} INFO recon: still running (elapsed={int((tk - s0).total_seconds())}s)",
                )
                tk += timedelta(minutes=5)
        run += timedelta(hours=1)

    # replica / primary postgres logs: checkpoints, restartpoints, an occasional slow query
    plog = f"/aws/rds/instance/{primary}/postgresql"
    t = c.start + timedelta(seconds=rng.randint(10, 290))
    while t < c.now:
        bufs = rng.randint(900, 9000)
        kit.log(plog, primary, t, pg_line(t, "", "", "", 519, "LOG", "checkpoint starting: time"))
        e = t + timedelta(seconds=rng.uniform(120, 270))
        kit.log(
            plog,
            primary,
            e,
            pg_line(
                e,
                "",
                "",
                "",
                519,
                "LOG",
                f"checkpoint complete: wrote {bufs} buffers ({bufs / 262144 * 100:.1f}%); 0 WAL file(s) added, 0 removed, {rng.randint(1, 6)} recycled; write={(e - t).total_seconds() - 0.5:.3f} s, sync=0.0{rng.randint(10, 99)} s, total={(e - t).total_seconds():.3f} s; sync files={rng.randint(40, 200)}, longest=0.00{rng.randint(1, 9)} s, average=0.001 s; distance={rng.randint(30000, 190000)} kB, estimate={rng.randint(30000, 190000)} kB",
            ),
        )
        if t < T:
            r = t + timedelta(seconds=rng.uniform(20, 60))
            kit.log(rlog, replica, r, pg_line(r, "", "", "", 611, "LOG", "restartpoint starting: time"))
            r2 = r + timedelta(seconds=rng.uniform(120, 250))
            if r2 < T:
                kit.log(
                    rlog,
                    replica,
                    r2,
                    pg_line(
                        r2,
                        "",
                        "",
                        "",
                        611,
                        "LOG",
                        f"restartpoint complete: wrote {rng.randint(500, 7000)} buffers; 0 WAL file(s) added, 0 removed, {rng.randint(1, 5)} recycled",
                    ),
                )
                kit.log(
                    rlog,
                    replica,
                    r2,
                    pg_line(
                        r2,
                        "",
                        "",
                        "",
                        611,
                        "LOG",
                        f"recovery restart point at {rng.randint(0x3A0, 0x3AF):X}/{kit.hex(8).upper()}",
                    ),
                )
        t += timedelta(minutes=5)
    for _ in range(rng.randint(3, 6)):
        tq = c.start + timedelta(seconds=rng.uniform(0, (c.now - c.start).total_seconds()))
        kit.log(
            plog,
            primary,
            tq,
            pg_line(
                tq,
                f"{rng.choice(task_ips)}({rng.randint(30000, 60000)})",
                "tally_app",
                app,
                rng.randint(20000, 60000),
                "LOG",
                f"duration: {rng.uniform(2000, 4800):.3f} ms  execute <unnamed>: UPDATE balances SET balance_minor = balance_minor + $1, updated_at = now() WHERE account_id = $2",
            ),
        )

    # notifier
    ng = f"/ecs/{notifier}"
    for _k in range(2):
        st = f"ecs/{notifier}/{task_id(kit)}"
        t = c.start + timedelta(seconds=rng.uniform(0, 60))
        while t < c.now:
            kit.log(
                ng,
                st,
                t,
                spring_line(
                    t,
                    "INFO",
                    1,
                    notifier,
                    "sqs-listener-1",
                    "c.t.notify.PushSender",
                    f"Sent {rng.randint(1, 30)} push notifications (apns={rng.randint(0, 20)}, fcm={rng.randint(0, 20)})",
                ),
            )
            t += timedelta(seconds=rng.uniform(50, 130))

    # --- ECS service events for the notifier deploy ---------------------------------------------------
    for dt, msg in (
        (25, f"(service {notifier}) has started 2 tasks: (task {kit.hex(32)}) (task {kit.hex(32)})."),
        (
            110,
            f"(service {notifier}) has stopped 2 running tasks: (task {kit.hex(32)}) (task {kit.hex(32)}).",
        ),
        (230, f"(service {notifier}) has reached a steady state."),
    ):
        kit.event(
            "ecs",
            {
                "service_arn": n_arn,
                "event": {
                    "id": kit.uuid(),
                    "createdAt": iso(deploy_n + timedelta(seconds=dt)),
                    "message": msg,
                },
            },
        )
    kit.event(
        "ecs",
        {
            "service_arn": web_arn,
            "event": {
                "id": kit.uuid(),
                "createdAt": iso(c.start + timedelta(minutes=rng.randint(30, 200))),
                "message": f"(service {web}) has reached a steady state.",
            },
        },
    )

    # --- CloudTrail -----------------------------------------------------------------------------------
    routine_reads(
        kit,
        c,
        who,
        [
            (who.dev, "rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": replica}),
            (who.grafana, "rds.amazonaws.com", "DescribeDBInstances", None),
            (who.ci, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [web]}),
            (analyst, "rds.amazonaws.com", "DescribeDBLogFiles", {"dBInstanceIdentifier": replica}),
        ],
        rng.randint(32, 42),
    )
    assume_roles(kit, c, task_role["Arn"], kit.hex(32), "ecs-tasks.amazonaws.com", 50)
    assume_roles(kit, c, sched_role["Arn"], kit.hex(32), "scheduler.amazonaws.com", 60)
    kit.ct(
        deploy_n - timedelta(seconds=35),
        who.ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": notifier,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "512",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": n_td,
                "family": notifier,
                "revision": n_rev,
                "status": "ACTIVE",
            }
        },
    )
    kit.ct(
        deploy_n,
        who.ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": notifier, "taskDefinition": n_td, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": n_arn,
                "serviceName": notifier,
                "taskDefinition": n_td,
                "desiredCount": 2,
            }
        },
    )
    ssm_t = T - timedelta(minutes=rng.randint(4, 9))
    kit.ct(
        ssm_t,
        who.dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": f"/{app}/prod/{web}/FEATURE_STATEMENTS_V2", "type": "String", "overwrite": True},
        {"version": rng.randint(3, 9), "tier": "Standard"},
    )
    kit.ct(
        T + timedelta(minutes=rng.randint(3, 9)),
        who.admin,
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        {
            "groupId": alb_sg,
            "ipPermissions": {
                "items": [
                    {
                        "ipProtocol": "tcp",
                        "fromPort": 443,
                        "toPort": 443,
                        "ipRanges": {
                            "items": [
                                {"cidrIp": f"{kit.public_ip()}/32", "description": "partner webhook egress"}
                            ]
                        },
                    }
                ]
            },
        },
        {"requestId": kit.uuid(), "_return": True},
    )
    kit.ct(
        c.start + timedelta(minutes=rng.randint(30, 90)),
        who.tf,
        "rds.amazonaws.com",
        "AddTagsToResource",
        {"resourceName": kit.arn("rds", f"db:{primary}"), "tags": [{"key": "backup-tier", "value": "gold"}]},
        None,
    )

    # --- alarms -------------------------------------------------------------------------------------
    fine_eval = fine_from + timedelta(minutes=6)
    lag_spec = AlarmSpec(
        f"{replica}-replica-lag",
        "AWS/RDS",
        "ReplicaLag",
        {"DBInstanceIdentifier": replica},
        "Maximum",
        300,
        3,
        900.0,
        "GreaterThanThreshold",
        description="replica more than 15 minutes behind",
        actions=[topic],
    )
    kit.alarm(lag_spec, c.start, c.now)
    for spec in (
        AlarmSpec(
            f"{web}-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
            "Sum",
            60,
            3,
            20.0,
            "GreaterThanThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        AlarmSpec(
            f"{primary}-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": primary},
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        AlarmSpec(
            f"{primary}-free-storage",
            "AWS/RDS",
            "FreeStorageSpace",
            {"DBInstanceIdentifier": primary},
            "Minimum",
            300,
            1,
            50.0 * GiB,
            "LessThanThreshold",
            actions=[topic],
        ),
        AlarmSpec(
            f"{web}-latency",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
            "Average",
            60,
            5,
            0.5,
            "GreaterThanThreshold",
            actions=[topic],
        ),
    ):
        kit.alarm(spec, fine_eval if spec.period == 60 else c.start, c.now)

    lt = local(c, T + timedelta(minutes=rng.randint(3, 8)))
    question = (
        f"Support is getting tickets that the {app.capitalize()} app shows old balances, and payments people just made "
        f"come back as 'not found' for a long time. Started around {clock_words(lt)}. No errors on our dashboards. "
        "What's going on?"
    )
    truth: Json = {
        "no_fault": False,
        "root_cause": {
            "resource": pg_replica,
            "category": "change",
            "failure_mode": "replica-replay-blocked-by-standby-delay",
            "event_id": culprit["eventID"],
        },
        "also_accept": [kit.arn("rds", f"pg:{pg_replica}"), "max_standby_streaming_delay"],
        "actions": ["rollback"],
        "chain": [
            f"{pg_replica}: max_standby_streaming_delay and max_standby_archive_delay set to -1 (was the 30 s default)",
            f"the hourly {recon} query on {replica} is no longer cancelled and holds WAL replay",
            f"{replica} ReplicaLag climbs one second per second",
            f"{web} reads balances and payments from {replica}: stale balances and 404s for new payments",
        ],
    }
    return kit.bundle(
        {
            "title": TITLE,
            "start": iso(c.start),
            "end": iso(c.now),
            "now": iso(c.now),
            "trigger": {"question": question, "alarm_event": None, "timezone": c.zone},
            "truth": truth,
        },
        c.now,
    )
