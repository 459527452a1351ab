"""Aurora MySQL writer fails; the cluster promotes the tier-0 reader, a much smaller instance class."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    AlarmSpec,
    Kit,
    alb,
    alb_minute,
    ecs_cluster,
    ecs_service,
    healthy_targets,
    iam_role,
    log_group,
    network,
    security_group,
    target_group,
)
from evals.suites.fresh._kit_f import (
    Json,
    assume_roles,
    aurora_cluster,
    aurora_instance,
    clock,
    clock_words,
    ecs_util,
    local,
    people,
    pino,
    routine_reads,
    sns_topic,
    task_id,
    wave,
)

NAME = "aurora-writer-failover-small-reader"
TITLE = "stock API burst of 5xx, then slow and erroring ever since"
SUMMARY = (
    "The Aurora MySQL writer instance failed and restarted; the cluster failed over to the promotion-tier-0 "
    "reader, a db.r6g.large, which saturates as writer: commit latency, pool timeouts and steady 5xx."
)

GiB = 1024**3


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    c = clock(kit, local_hours=(9, 15), before=timedelta(hours=6), after_min=(38, 55))
    T = c.onset
    rng = kit.rng
    base = rng.choice(["stockroom", "inventory", "larder"])
    cluster = f"{base}-prod"
    big = rng.choice(["db.r6g.2xlarge", "db.r7g.2xlarge"])
    small = big.replace("2xlarge", "large")
    inst = [f"{cluster}-1", f"{cluster}-2", f"{cluster}-3"]  # writer, reader, reporting reader
    api = "stock-api"
    worker = "stock-sync-worker"
    ecs_name = f"{base}-prod"
    created = c.start - timedelta(days=rng.randint(300, 700))
    who = people(kit, c, rng.choice(["larderly.io", "stockwise.co", "shelfline.com"]))

    # --- resources ---------------------------------------------------------------------------------
    net = network(kit, f"{base}-prod", created)
    alb_sg = security_group(kit, net, f"{api}-alb", "stock-api public load balancer", 443, None)
    app_sg = security_group(kit, net, f"{api}-tasks", "stock-api and worker tasks", 8080, alb_sg)
    db_sg = security_group(kit, net, f"{cluster}-aurora", "Aurora MySQL from app tasks", 3306, app_sg)
    lb_arn, lb_dim = alb(kit, net, f"{api}-prod", alb_sg, created)
    tg_arn, tg_dim = target_group(kit, net, f"{api}-prod-tg", 8080, lb_arn, "ip", "/healthz")
    topic = sns_topic(kit, f"{base}-oncall-pager")
    ecs_cluster(kit, ecs_name, 8, 2)
    api_arn, _api_td = ecs_service(
        kit,
        ecs_name,
        api,
        rng.randint(140, 260),
        6,
        net,
        app_sg,
        tg_arn,
        8080,
        c.start - timedelta(days=rng.randint(2, 6)),
        created,
    )
    deploy_worker = T - timedelta(minutes=rng.randint(17, 26), seconds=rng.randint(0, 59))
    wk_rev = rng.randint(60, 120)
    wk_arn, wk_td = ecs_service(
        kit, ecs_name, worker, wk_rev, 2, net, app_sg, None, 8080, deploy_worker, created
    )
    role = iam_role(kit, f"{api}-task", created, "ecs-tasks.amazonaws.com")
    iam_role(kit, f"{worker}-task", created, "ecs-tasks.amazonaws.com")
    h = kit.hex(12)
    # after the failover: -3 is the writer
    aurora_cluster(
        kit,
        cluster,
        engine="aurora-mysql",
        version="8.0.mysql_aurora.3.05.2",
        members=[(inst[0], False, 1), (inst[1], False, 1), (inst[2], True, 0)],
        net=net,
        sg=db_sg,
        created=created,
        now=c.now,
        param_group=f"{cluster}-cluster-params",
        database=base,
    )
    azs = [z for _, z in net.subnets]
    for i, (ident, klass, tier) in enumerate(zip(inst, [big, big, small], [1, 1, 0], strict=True)):
        aurora_instance(
            kit,
            ident,
            cluster,
            engine="aurora-mysql",
            version="8.0.mysql_aurora.3.05.2",
            klass=klass,
            az=azs[i],
            net=net,
            sg=db_sg,
            created=created + timedelta(minutes=12 * i) if i < 2 else created + timedelta(days=190),
            tier=tier,
            param_group=f"{cluster}-instance-params",
            cluster_hex=h,
        )
    for g in (
        f"/ecs/{api}",
        f"/ecs/{worker}",
        f"/aws/rds/cluster/{cluster}/error",
        f"/aws/rds/cluster/{cluster}/slowquery",
    ):
        log_group(kit, g, created, 30)

    # --- timeline ----------------------------------------------------------------------------------
    restart_1 = T + timedelta(minutes=rng.randint(6, 9), seconds=rng.randint(0, 59))
    fo_start = T + timedelta(seconds=rng.randint(8, 20))
    promoted = T + timedelta(seconds=rng.randint(38, 55))
    fo_done = promoted + timedelta(seconds=rng.randint(4, 12))
    peak_rpm = rng.randint(1800, 3200)
    sat = rng.uniform(0.93, 0.99)
    fine_from = T - timedelta(minutes=70)
    fine_eval = fine_from + timedelta(minutes=6)

    def times() -> list[tuple[datetime, int]]:
        return kit.timeline(c.start, c.now, fine_from)

    def writer_cpu(t: datetime) -> float:
        return 14 + 32 * wave(t, c.utc_offset, 0.3)

    for t, step in times():
        w = wave(t, c.utc_offset, 0.3)
        m = t.replace(second=0)
        after = m >= T.replace(second=0)
        minute0 = m == T.replace(second=0)
        early = after and m < promoted.replace(second=0) + timedelta(minutes=1)
        # --- ALB ---
        rpm = peak_rpm * w * rng.uniform(0.93, 1.07) * step / 60
        if not after:
            alb_minute(kit, lb_dim, tg_dim, t, rpm, rng.choice([0, 0, 0, 1]) * step / 60, 0.032, 0.21, 6)
        elif early:
            alb_minute(kit, lb_dim, tg_dim, t, rpm, rpm * rng.uniform(0.35, 0.55), 0.9, 9.5, 6)
        else:
            alb_minute(kit, lb_dim, tg_dim, t, rpm, rpm * rng.uniform(0.022, 0.045), 0.41, 4.8, 6)
        ecs_util(kit, ecs_name, api, t, 22 + 30 * w if not after else 16 + 18 * w, 48, 6)
        ecs_util(kit, ecs_name, worker, t, 11 + 6 * w, 37, 2)
        # --- Aurora ---
        for i, ident in enumerate(inst):
            d = {"DBInstanceIdentifier": ident}
            is_writer = (i == 0 and not after) or (i == 2 and m >= promoted.replace(second=0))
            down = (
                i == 0 and T.replace(second=0) <= m < restart_1.replace(second=0) + timedelta(minutes=1)
            ) or (i == 2 and minute0)
            if down:
                continue
            mem_total = 64 * GiB if "2xlarge" in (big if i < 2 else small) else 16 * GiB
            if is_writer and i == 0:
                cpu = writer_cpu(t)
                conns = 180 + 120 * w
                commit, dml, sel, hit = 2.1 + 1.2 * w, 0.45, 0.31, 99.7
                thru = 410 * w + 40
            elif is_writer:
                cpu = min(99.6, 100 * sat + rng.uniform(-2.5, 2))
                conns = 300 + 40 * rng.random()
                commit, dml, sel, hit = (
                    38 + 25 * rng.random(),
                    14 + 9 * rng.random(),
                    6.5 + 4 * rng.random(),
                    96.8,
                )
                thru = 190 * w + 30
            elif i == 0:  # back as a reader with a cold buffer pool
                mins = (m - restart_1).total_seconds() / 60
                cpu = 9 + 7 * w
                conns = 20 + min(60, mins * 6)
                commit, dml, sel, hit = 0.0, 0.0, 1.9 - min(1.4, mins * 0.05), 84 + min(14, mins * 0.6)
                thru = 0.0
            else:
                extra = 1.5 if (after and i == 1 and m < restart_1) else 1.0
                cpu = (8 + 18 * w) * extra if i == 1 else 6 + 5 * w
                conns = (40 + 70 * w) * extra if i == 1 else 14 + 4 * w
                commit, dml, sel, hit = 0.0, 0.0, 0.42, 99.5
                thru = 0.0
            kit.put("AWS/RDS", "CPUUtilization", d, t, min(100, kit.noise(cpu, 0.05)), "Percent")
            kit.put("AWS/RDS", "DatabaseConnections", d, t, float(round(kit.noise(conns, 0.04))), "Count")
            free = mem_total * (0.42 if "2xlarge" in (big if i < 2 else small) else 0.13)
            kit.put("AWS/RDS", "FreeableMemory", d, t, float(round(kit.noise(free, 0.01))), "Bytes")
            kit.put("AWS/RDS", "SelectLatency", d, t, kit.noise(sel, 0.08), "Milliseconds")
            kit.put("AWS/RDS", "BufferCacheHitRatio", d, t, min(100.0, kit.noise(hit, 0.002)), "Percent")
            if is_writer:
                kit.put("AWS/RDS", "CommitLatency", d, t, kit.noise(commit, 0.1), "Milliseconds")
                kit.put("AWS/RDS", "DMLLatency", d, t, kit.noise(dml, 0.1), "Milliseconds")
                kit.put("AWS/RDS", "CommitThroughput", d, t, kit.noise(thru, 0.06), "Count/Second")
                kit.put("AWS/RDS", "AuroraReplicaLagMaximum", d, t, kit.noise(19, 0.2), "Milliseconds")
            else:
                lag = 17.0 if not (i == 1 and after) else 24.0
                kit.put("AWS/RDS", "AuroraReplicaLag", d, t, kit.noise(lag, 0.2), "Milliseconds")
        # role-level metrics follow whichever instance holds the role
        cd = {"DBClusterIdentifier": cluster}
        if not minute0:
            wcpu = writer_cpu(t) if not after else min(99.6, 100 * sat + rng.uniform(-2.5, 2))
            kit.put(
                "AWS/RDS",
                "CPUUtilization",
                {**cd, "Role": "WRITER"},
                t,
                min(100, kit.noise(wcpu, 0.03)),
                "Percent",
            )
            wcon = 180 + 120 * w if not after else 300 + 40 * rng.random()
            kit.put(
                "AWS/RDS", "DatabaseConnections", {**cd, "Role": "WRITER"}, t, float(round(wcon)), "Count"
            )
            wcl = 2.1 + 1.2 * w if not after else 38 + 25 * rng.random()
            kit.put(
                "AWS/RDS", "CommitLatency", {**cd, "Role": "WRITER"}, t, kit.noise(wcl, 0.1), "Milliseconds"
            )
        rcpu = (7 + 11 * w) if not after else (10 + 14 * w)
        kit.put("AWS/RDS", "CPUUtilization", {**cd, "Role": "READER"}, t, kit.noise(rcpu, 0.05), "Percent")
        kit.put(
            "AWS/RDS",
            "DatabaseConnections",
            {**cd, "Role": "READER"},
            t,
            float(round(kit.noise(60 + 80 * w, 0.05))),
            "Count",
        )

    # --- target health: shallow /healthz, tasks stay healthy -------------------------------------------
    task_ips = [
        f"{net.cidr16}.{16 * (i % 3 + 1) + rng.randint(0, 15)}.{rng.randint(2, 254)}" for i in range(6)
    ]
    healthy_targets(
        kit, tg_arn, [(ip, 8080, azs[i % 3]) for i, ip in enumerate(task_ips)], c.start - timedelta(days=3)
    )

    # --- RDS events --------------------------------------------------------------------------------
    def rds_ev(t: datetime, source: str, stype: str, msg: str, cats: list[str]) -> None:
        kind = "cluster" if stype == "db-cluster" else "db"
        kit.event(
            "rds",
            {
                "SourceIdentifier": source,
                "SourceType": stype,
                "Message": msg,
                "EventCategories": cats,
                "Date": t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z",
                "SourceArn": kit.arn("rds", f"{kind}:{source}"),
            },
        )

    rds_ev(
        fo_start, cluster, "db-cluster", f"Started cross AZ failover to DB instance: {inst[2]}", ["failover"]
    )
    rds_ev(promoted, inst[2], "db-instance", "DB instance restarted", ["availability"])
    rds_ev(fo_done, cluster, "db-cluster", f"Completed failover to DB instance: {inst[2]}", ["failover"])
    rds_ev(restart_1, inst[0], "db-instance", "DB instance restarted", ["availability"])

    # --- logs: stock-api (pino JSON) ----------------------------------------------------------------
    tasks = [task_id(kit) for _ in range(6)]
    routes = [
        ("GET", "/v2/stock/{sku}", 0.55),
        ("GET", "/v2/stock/bulk", 0.15),
        ("POST", "/v2/reservations", 0.18),
        ("POST", "/v2/reservations/{id}/commit", 0.08),
        ("DELETE", "/v2/reservations/{id}", 0.04),
    ]
    writer_host = f"{cluster}.cluster-{h}.{kit.region}.rds.amazonaws.com"
    old_writer_ip = f"{net.cidr16}.{16 + rng.randint(0, 15)}.{rng.randint(2, 254)}"

    def sku() -> str:
        return f"{rng.choice('ABCDEFGHJK')}{rng.randint(10000, 99999)}-{rng.randint(1, 9)}"

    for k, tid in enumerate(tasks):
        stream = f"ecs/{api}/{tid}"
        host = f"ip-{task_ips[k].replace('.', '-')}.{kit.region}.compute.internal"
        t = c.start + timedelta(seconds=rng.uniform(0, 50))
        while t < c.now:
            after = t >= T
            in_blip = T <= t < fo_done + timedelta(seconds=20)
            meth, path, _ = rng.choices(routes, weights=[r[2] for r in routes])[0]
            p = path.replace("{sku}", sku()).replace("{id}", f"rsv_{kit.hex(12)}")
            rid = kit.hex(16)
            if in_blip and meth != "GET" and rng.random() < 0.5:
                kit.log(
                    f"/ecs/{api}",
                    stream,
                    t,
                    pino(
                        t,
                        50,
                        host,
                        "reservation write failed",
                        reqId=rid,
                        err={
                            "type": "Error",
                            "message": "The MySQL server is running with the --read-only option so it cannot execute this statement",
                            "code": "ER_OPTION_PREVENTS_STATEMENT",
                            "errno": 1290,
                            "sqlState": "HY000",
                            "stack": "Error: The MySQL server is running with the --read-only option so it cannot execute this statement\n    at Packet.asError (/app/node_modules/mysql2/lib/packets/packet.js:728:17)\n    at Query.execute (/app/node_modules/mysql2/lib/commands/command.js:29:26)\n    at PoolConnection.handlePacket (/app/node_modules/mysql2/lib/connection.js:481:34)",
                        },
                    ),
                )
                kit.log(
                    f"/ecs/{api}",
                    stream,
                    t,
                    pino(
                        t,
                        30,
                        host,
                        "request completed",
                        reqId=rid,
                        req={"method": meth, "url": p},
                        res={"statusCode": 500},
                        responseTime=rng.randint(4, 30),
                    ),
                )
            elif in_blip:
                msg, code = rng.choice(
                    [
                        ("Connection lost: The server closed the connection.", "PROTOCOL_CONNECTION_LOST"),
                        (f"connect ECONNREFUSED {old_writer_ip}:3306", "ECONNREFUSED"),
                        ("read ECONNRESET", "ECONNRESET"),
                    ]
                )
                kit.log(
                    f"/ecs/{api}",
                    stream,
                    t,
                    pino(
                        t,
                        50,
                        host,
                        "query failed",
                        reqId=rid,
                        db={"host": writer_host, "pool": "primary"},
                        err={
                            "type": "Error",
                            "message": msg,
                            "code": code,
                            "fatal": True,
                            "stack": f"Error: {msg}\n    at PoolConnection._handleFatalError (/app/node_modules/mysql2/lib/connection.js:253:17)\n    at Socket.<anonymous> (/app/node_modules/mysql2/lib/connection.js:123:12)",
                        },
                    ),
                )
                kit.log(
                    f"/ecs/{api}",
                    stream,
                    t,
                    pino(
                        t,
                        30,
                        host,
                        "request completed",
                        reqId=rid,
                        req={"method": meth, "url": p},
                        res={"statusCode": 503},
                        responseTime=rng.randint(2, 80),
                    ),
                )
            elif after and rng.random() < (0.09 if meth != "GET" else 0.035):
                waited = 10000
                kit.log(
                    f"/ecs/{api}",
                    stream,
                    t,
                    pino(
                        t,
                        50,
                        host,
                        "db acquire timeout",
                        reqId=rid,
                        err={
                            "type": "KnexTimeoutError",
                            "message": "Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?",
                            "sql": "select `sku`, `on_hand`, `reserved`, `updated_at` from `stock_levels` where `sku` = ?"
                            if meth == "GET"
                            else "insert into `reservations` (`id`, `sku`, `qty`, `expires_at`) values (?, ?, ?, ?)",
                            "stack": "KnexTimeoutError: Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?\n    at Client_MySQL2.acquireConnection (/app/node_modules/knex/lib/client.js:312:26)\n    at async Runner.ensureConnection (/app/node_modules/knex/lib/execution/runner.js:287:28)",
                        },
                        pool={"used": 20, "free": 0, "pendingAcquires": rng.randint(30, 140)},
                    ),
                )
                kit.log(
                    f"/ecs/{api}",
                    stream,
                    t,
                    pino(
                        t,
                        30,
                        host,
                        "request completed",
                        reqId=rid,
                        req={"method": meth, "url": p},
                        res={"statusCode": 503},
                        responseTime=waited + rng.randint(1, 40),
                    ),
                )
            else:
                rt = rng.lognormvariate(3.4, 0.5) if not after else rng.lognormvariate(5.9, 0.7)
                lvl = 30
                kit.log(
                    f"/ecs/{api}",
                    stream,
                    t,
                    pino(
                        t,
                        lvl,
                        host,
                        "request completed",
                        reqId=rid,
                        req={"method": meth, "url": p},
                        res={"statusCode": 201 if meth == "POST" else 200},
                        responseTime=round(rt),
                    ),
                )
                if after and rt > 1500:
                    kit.log(
                        f"/ecs/{api}",
                        stream,
                        t,
                        pino(
                            t,
                            40,
                            host,
                            "slow query",
                            reqId=rid,
                            durationMs=round(rt - rng.uniform(5, 40)),
                            table="reservations" if meth != "GET" else "stock_levels",
                        ),
                    )
            gap = rng.uniform(40, 75) if not (T - timedelta(minutes=5) <= t <= c.now) else rng.uniform(6, 14)
            if in_blip:
                gap = rng.uniform(1.5, 4)
            t += timedelta(seconds=gap)
        # unrelated warnings now and then
        for _ in range(rng.randint(1, 3)):
            tw = c.start + timedelta(seconds=rng.uniform(0, (T - c.start).total_seconds()))
            kit.log(
                f"/ecs/{api}",
                stream,
                tw,
                pino(
                    tw, 40, host, "upstream pricing cache miss storm, refreshing", keys=rng.randint(40, 300)
                ),
            )
        tw = c.start + timedelta(seconds=rng.uniform(0, 3600))
        kit.log(
            f"/ecs/{api}",
            stream,
            tw,
            pino(
                tw,
                40,
                host,
                "(node:1) Warning: Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' is ignored in production builds",
            ),
        )

    # worker: polls a supplier feed every minute
    wtasks = [task_id(kit) for _ in range(2)]
    for k, tid in enumerate(wtasks):
        stream = f"ecs/{worker}/{tid}"
        host = (
            f"ip-{net.cidr16.replace('.', '-')}-{32 + k}-{rng.randint(2, 254)}.{kit.region}.compute.internal"
        )
        t = c.start + timedelta(seconds=rng.uniform(0, 60))
        while t < c.now:
            if T <= t < fo_done + timedelta(seconds=30):
                kit.log(
                    f"/ecs/{worker}",
                    stream,
                    t,
                    pino(
                        t,
                        50,
                        host,
                        "sync batch failed, will retry",
                        err={
                            "type": "Error",
                            "message": "Connection lost: The server closed the connection.",
                            "code": "PROTOCOL_CONNECTION_LOST",
                        },
                    ),
                )
            else:
                n = rng.randint(40, 400)
                dur = rng.randint(300, 1400) * (4 if t >= T else 1)
                kit.log(
                    f"/ecs/{worker}",
                    stream,
                    t,
                    pino(
                        t,
                        30,
                        host,
                        "supplier sync batch applied",
                        supplier=rng.choice(["brightfarm", "northmill", "cascade-dairy"]),
                        rows=n,
                        durationMs=dur,
                    ),
                )
            t += timedelta(seconds=rng.uniform(55, 65))
        if deploy_worker < c.now:
            ts = deploy_worker + timedelta(minutes=rng.randint(2, 4))
            kit.log(
                f"/ecs/{worker}",
                stream,
                ts,
                pino(ts, 30, host, "stock-sync-worker starting", version=f"1.{wk_rev}.0", node="v20.12.2"),
            )

    # --- logs: Aurora error log -----------------------------------------------------------------------
    eg = f"/aws/rds/cluster/{cluster}/error"

    def mysql_line(t: datetime, thread: int, level: str, code: str, text: str) -> str:
        return f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond:06d}Z {thread} [{level}] [{code}] [Server] {text}"

    for i, ident in enumerate(inst):
        t = c.start + timedelta(minutes=rng.uniform(5, 40))
        while t < c.now:
            if not (i == 0 and T <= t < restart_1):
                ip = f"{net.cidr16}.{16 * rng.randint(1, 3) + rng.randint(0, 15)}.{rng.randint(2, 254)}"
                kit.log(
                    eg,
                    ident,
                    t,
                    mysql_line(
                        t,
                        rng.randint(10000, 99999),
                        "Note",
                        "MY-010914",
                        f"Aborted connection {rng.randint(100000, 999999)} to db: '{base}' user: 'stock_api' host: '{ip}' (Got an error reading communication packets).",
                    ),
                )
            t += timedelta(minutes=rng.uniform(20, 70))
    for ident, t0 in (
        (inst[2], promoted - timedelta(seconds=9)),
        (inst[0], restart_1 - timedelta(seconds=40)),
    ):
        kit.log(
            eg,
            ident,
            t0,
            mysql_line(
                t0,
                0,
                "System",
                "MY-010116",
                f"/rdsdbbin/oscar/bin/mysqld (mysqld 8.0.32) starting as process {rng.randint(300, 900)}",
            ),
        )
        t1 = t0 + timedelta(seconds=rng.uniform(4, 8))
        kit.log(
            eg,
            ident,
            t1,
            mysql_line(
                t1,
                0,
                "System",
                "MY-010931",
                "/rdsdbbin/oscar/bin/mysqld: ready for connections. Version: '8.0.32'  socket: '/tmp/mysql.sock'  port: 3306  Source distribution.",
            ),
        )
    # slow query log on the new writer
    sq = f"/aws/rds/cluster/{cluster}/slowquery"
    t = promoted + timedelta(minutes=1)
    while t < c.now:
        qt = rng.uniform(2.1, 7.5)
        kit.log(
            sq,
            inst[2],
            t,
            f"# Time: {t.strftime('%Y-%m-%dT%H:%M:%S.')}{t.microsecond:06d}Z\n# User@Host: stock_api[stock_api] @  [{rng.choice(task_ips)}]  Id: {rng.randint(1000, 99999)}\n# Query_time: {qt:.6f}  Lock_time: {qt * rng.uniform(0.5, 0.9):.6f} Rows_sent: 0  Rows_examined: 1\nSET timestamp={int(t.timestamp())};\nUPDATE stock_levels SET reserved = reserved + 1, updated_at = NOW(3) WHERE sku = '{sku()}';",
        )
        t += timedelta(seconds=rng.uniform(20, 70))

    # --- ECS service events ---------------------------------------------------------------------------
    kit.event(
        "ecs",
        {
            "service_arn": api_arn,
            "event": {
                "id": kit.uuid(),
                "createdAt": (c.start + timedelta(minutes=rng.randint(10, 100)))
                .isoformat()
                .replace("+00:00", "Z"),
                "message": f"(service {api}) has reached a steady state.",
            },
        },
    )
    for dt, msg in (
        (20, f"(service {worker}) has started 2 tasks: (task {kit.hex(32)}) (task {kit.hex(32)})."),
        (95, f"(service {worker}) has stopped 2 running tasks: (task {wtasks[0]}) (task {wtasks[1]})."),
        (
            240,
            f"(service {worker}) deployment ecs-svc/{rng.randint(10**18, 10**19 - 1)} deployment completed.",
        ),
        (250, f"(service {worker}) has reached a steady state."),
    ):
        kit.event(
            "ecs",
            {
                "service_arn": wk_arn,
                "event": {
                    "id": kit.uuid(),
                    "createdAt": (deploy_worker + timedelta(seconds=dt)).isoformat().replace("+00:00", "Z"),
                    "message": msg,
                },
            },
        )

    # --- CloudTrail -----------------------------------------------------------------------------------
    rds_reads = [
        (who.dev, "rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": cluster}),
        (who.dev, "rds.amazonaws.com", "DescribeDBInstances", None),
        (who.admin, "rds.amazonaws.com", "DescribeDBClusterSnapshots", {"dBClusterIdentifier": cluster}),
        (who.ci, "ecs.amazonaws.com", "DescribeServices", {"cluster": ecs_name, "services": [api]}),
        (who.grafana, "rds.amazonaws.com", "DescribeDBInstances", None),
    ]
    routine_reads(kit, c, who, rds_reads, rng.randint(34, 44))
    assume_roles(kit, c, role["Arn"], kit.hex(32), "ecs-tasks.amazonaws.com", 55)
    # earlier routine writes
    t0 = c.start + timedelta(minutes=rng.randint(20, 80))
    kit.ct(
        t0,
        who.tf,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/ecs/{worker}", "retentionInDays": 30},
        None,
    )
    t1 = c.start + timedelta(minutes=rng.randint(100, 160))
    kit.ct(
        t1,
        who.dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": f"/{base}/prod/{worker}/SUPPLIER_BATCH_SIZE", "type": "String", "overwrite": True},
        {"version": rng.randint(4, 12), "tier": "Standard"},
    )
    # innocent changes near the onset: the worker deploy and a tag on the cluster
    kit.ct(
        deploy_worker - timedelta(seconds=40),
        who.ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": worker,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "512",
            "memory": "1024",
        },
        {
            "taskDefinition": {
                "taskDefinitionArn": wk_td,
                "family": worker,
                "revision": wk_rev,
                "status": "ACTIVE",
            }
        },
    )
    kit.ct(
        deploy_worker,
        who.ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": ecs_name, "service": worker, "taskDefinition": wk_td, "forceNewDeployment": False},
        {
            "service": {
                "serviceArn": wk_arn,
                "serviceName": worker,
                "taskDefinition": wk_td,
                "desiredCount": 2,
            }
        },
    )
    tag_t = T - timedelta(minutes=rng.randint(6, 13), seconds=rng.randint(0, 59))
    cl_arn = kit.arn("rds", f"cluster:{cluster}")
    kit.ct(
        tag_t,
        who.admin,
        "rds.amazonaws.com",
        "AddTagsToResource",
        {"resourceName": cl_arn, "tags": [{"key": "cost-center", "value": "cc-4410"}]},
        None,
    )
    # the on-call engineer looks around after the page
    look = T + timedelta(minutes=rng.randint(9, 14))
    look_calls: list[tuple[str, Json]] = [
        ("DescribeDBClusters", {"dBClusterIdentifier": cluster}),
        ("DescribeEvents", {"sourceType": "db-cluster", "duration": 60}),
        ("DescribeDBInstances", {"dBInstanceIdentifier": inst[2]}),
    ]
    for j, (name, params) in enumerate(look_calls):
        kit.ct(
            look + timedelta(seconds=35 * j),
            who.oncall,
            "rds.amazonaws.com",
            name,
            params,
            None,
            read_only=True,
        )

    # --- alarms -------------------------------------------------------------------------------------
    eval_from = c.start
    t5 = AlarmSpec(
        f"{api}-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
        "Sum",
        60,
        3,
        25.0,
        "GreaterThanThreshold",
        datapoints_to_alarm=2,
        treat_missing="notBreaching",
        description="stock-api is returning 5xx",
        actions=[topic],
        ok_actions=[topic],
    )
    tr5 = kit.alarm(t5, fine_eval, c.now)
    lat = AlarmSpec(
        f"{api}-latency-avg",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
        "Average",
        60,
        5,
        0.5,
        "GreaterThanThreshold",
        datapoints_to_alarm=4,
        description="stock-api average latency above 500 ms",
        actions=[topic],
        ok_actions=[topic],
    )
    kit.alarm(lat, fine_eval, c.now)
    cpu_alarm = AlarmSpec(
        f"{cluster}-writer-cpu",
        "AWS/RDS",
        "CPUUtilization",
        {"DBClusterIdentifier": cluster, "Role": "WRITER"},
        "Average",
        300,
        3,
        80.0,
        "GreaterThanThreshold",
        description=f"{cluster} writer CPU",
        actions=[topic],
    )
    kit.alarm(cpu_alarm, eval_from, c.now)
    others: list[AlarmSpec] = [
        AlarmSpec(
            f"{cluster}-2-replica-lag",
            "AWS/RDS",
            "AuroraReplicaLag",
            {"DBInstanceIdentifier": inst[1]},
            "Maximum",
            60,
            5,
            2000.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        AlarmSpec(
            f"{api}-unhealthy-targets",
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
            "Maximum",
            60,
            3,
            0.0,
            "GreaterThanThreshold",
            actions=[topic],
        ),
        AlarmSpec(
            f"{worker}-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": ecs_name, "ServiceName": worker},
            "Average",
            300,
            2,
            85.0,
            "GreaterThanThreshold",
        ),
        AlarmSpec(
            f"{api}-cpu-high",
            "AWS/ECS",
            "CPUUtilization",
            {"ClusterName": ecs_name, "ServiceName": api},
            "Average",
            300,
            3,
            80.0,
            "GreaterThanThreshold",
        ),
    ]
    for spec in others:
        kit.alarm(spec, fine_eval if spec.period == 60 else eval_from, c.now)

    trigger_tr = next(tr for tr in tr5 if tr.new == "ALARM" and tr.time >= T)
    event = kit.alarm_event(t5, trigger_tr)
    lt = local(c, T)
    question = (
        f"stock-api threw a pile of 5xx at about {clock_words(lt)} and it has been slow and still erroring since. "
        "Nobody deployed the API today. What's going on?"
    )
    also: list[str] = [
        kit.arn("rds", f"cluster:{cluster}"),
        f"{cluster}.cluster-{h}.{kit.region}.rds.amazonaws.com",
        inst[2],
        inst[0],
    ]
    truth: Json = {
        "no_fault": False,
        "root_cause": {
            "resource": cluster,
            "category": "system_change",
            "failure_mode": "aurora-failover-to-undersized-reader",
            "event_id": None,
        },
        "also_accept": also,
        "actions": ["scale", "reconfigure"],
        "chain": [
            f"{inst[0]} (writer, {big}) failed and restarted",
            f"Aurora cluster {cluster} failed over to {inst[2]}, the promotion-tier-0 reader, a {small}",
            f"{inst[2]} saturates as writer: CPU ~{round(100 * sat)}%, commit latency up tenfold",
            f"{api} connections dropped during failover, then knex pool acquire timeouts",
            f"{api} target 5xx and slow responses behind {api}-prod ALB",
        ],
    }
    return kit.bundle(
        {
            "title": TITLE,
            "start": c.start.isoformat().replace("+00:00", "Z"),
            "end": c.now.isoformat().replace("+00:00", "Z"),
            "now": c.now.isoformat().replace("+00:00", "Z"),
            "trigger": {"question": question, "alarm_event": event, "timezone": c.zone},
            "truth": truth,
        },
        c.now,
    )
