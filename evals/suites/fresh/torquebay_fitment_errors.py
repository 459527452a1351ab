"""Torquebay (car parts): fitment lookups error for a while late morning, then stay sluggish."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zx as k

NAME = "torquebay-fitment-errors"
TITLE = "Part-fitment lookups erroring and timing out late morning; better now but still slow"
SUMMARY = (
    "One Aurora MySQL reader behind the reader endpoint stops responding (host problem) until RDS "
    "recovers it; the fitment API's pooled connections to it hang and fail, then its cold cache keeps reads slow."
)
TZ = "America/Chicago"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    nz = random.Random(f"{NAME}:{seed}:noise")
    account = "".join(rng.choice("0123456789") for _ in range(12)).replace("0", "5", 1)
    region = "us-east-2"
    net = k.Net(rng, account, region, rng.choice([10, 24, 72]))
    day = k.pick_day(rng)
    zone = ZoneInfo(TZ)
    off = day.astimezone(zone).utcoffset() or timedelta(0)
    onset = day - off + timedelta(hours=10, minutes=rng.randrange(5, 50))  # late morning in Chicago
    recov_start = onset + timedelta(minutes=rng.randrange(3, 6))
    back = onset + timedelta(minutes=rng.randrange(17, 24))
    start = onset - timedelta(hours=rng.randrange(20, 26))
    now = back + timedelta(minutes=rng.randrange(22, 34))
    fine = onset - timedelta(hours=3)
    pts = k.times(start, now, fine)

    aurora = "torquebay-catalog"
    insts = [f"{aurora}-instance-1", f"{aurora}-instance-2", f"{aurora}-instance-3"]
    bad = insts[2]
    cluster = "torquebay-prod"
    api = "torquebay-fitment-api"
    orders = "torquebay-orders-api"
    store = "torquebay-storefront"
    topic = f"arn:aws:sns:{region}:{account}:torquebay-oncall"
    share = rng.uniform(0.42, 0.55)  # fraction of the API's pooled reader connections on the bad reader

    def down(t: datetime) -> bool:
        return onset <= t < back

    def cold(t: datetime) -> float:
        """0..1: how cold the recovered reader's buffer pool still is."""
        if t < back:
            return 0.0
        return max(0.0, 1 - (t - back).total_seconds() / 3600 / 1.5)

    def traffic(t: datetime) -> float:
        return 5200 * k.diurnal(t + off, 13.0, 0.1)

    def err_frac(t: datetime) -> float:
        if down(t):
            return share * nz.uniform(0.55, 0.75)
        if back <= t < back + timedelta(minutes=2):
            return 0.04
        return 0.0

    sg_alb, sg_app, sg_db = ("sg-" + k.hexid(rng, 17) for _ in range(3))
    res: list[dict[str, Any]] = []
    alb_res, _lb_arn, tg_arn, lb_dim, tg_dim = k.alb_resources(
        net, rng, "torquebay-api", "torquebay-fitment-api", sg_alb, day - timedelta(days=500), 8080
    )
    res += alb_res
    res.append(k.security_group(net, sg_alb, "torquebay-api-alb", "api ALB", 443, None))
    res.append(k.security_group(net, sg_app, "torquebay-app-tasks", "app tasks", 8080, sg_alb))
    res.append(k.security_group(net, sg_db, "torquebay-catalog-aurora", "catalog aurora", 3306, sg_app))
    store_deploy = onset - timedelta(minutes=rng.randrange(10, 25))
    res += k.ecs_service(
        net,
        cluster,
        api,
        api,
        rng.randrange(80, 200),
        6,
        tg_arn,
        8080,
        sg_app,
        day - timedelta(days=480),
        day - timedelta(days=2, hours=3),
        rng,
        [
            (onset - timedelta(hours=h), f"(service {api}) has reached a steady state.")
            for h in (1, 7, 13, 19)
        ],
    )
    res += k.ecs_service(
        net,
        cluster,
        orders,
        orders,
        rng.randrange(300, 500),
        4,
        None,
        8080,
        sg_app,
        day - timedelta(days=480),
        day - timedelta(days=5),
        rng,
        [(onset - timedelta(hours=h), f"(service {orders}) has reached a steady state.") for h in (2, 8, 14)],
    )
    res += k.ecs_service(
        net,
        cluster,
        store,
        store,
        rng.randrange(500, 900),
        4,
        None,
        3000,
        sg_app,
        day - timedelta(days=480),
        store_deploy,
        rng,
        [(store_deploy + timedelta(minutes=7), f"(service {store}) has reached a steady state.")],
    )
    res.append(k.ecs_cluster(net, cluster, 3, 14))
    suffix = k.alnum(rng, 12, False)
    res.append(
        {
            "service": "rds",
            "type": "DBCluster",
            "item": {
                "DBClusterIdentifier": aurora,
                "Engine": "aurora-mysql",
                "EngineVersion": "8.0.mysql_aurora.3.05.2",
                "Status": "available",
                "MultiAZ": True,
                "Endpoint": f"{aurora}.cluster-{suffix}.{region}.rds.amazonaws.com",
                "ReaderEndpoint": f"{aurora}.cluster-ro-{suffix}.{region}.rds.amazonaws.com",
                "Port": 3306,
                "MasterUsername": "admin",
                "DatabaseName": "catalog",
                "DBClusterParameterGroup": "torquebay-aurora-mysql80",
                "DBSubnetGroup": "torquebay-db",
                "DBClusterMembers": [
                    {
                        "DBInstanceIdentifier": d,
                        "IsClusterWriter": i == 0,
                        "DBClusterParameterGroupStatus": "in-sync",
                        "PromotionTier": 1,
                    }
                    for i, d in enumerate(insts)
                ],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBClusterArn": f"arn:aws:rds:{region}:{account}:cluster:{aurora}",
                "StorageEncrypted": True,
                "ClusterCreateTime": k.iso_ms(day - timedelta(days=900)),
                "BackupRetentionPeriod": 7,
                "PreferredBackupWindow": "08:00-08:30",
                "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
                "AvailabilityZones": list(net.azs),
            },
        }
    )
    for i, d in enumerate(insts):
        res.append(
            {
                "service": "rds",
                "type": "DBInstance",
                "item": {
                    "DBInstanceIdentifier": d,
                    "DBInstanceClass": "db.r6g.2xlarge",
                    "Engine": "aurora-mysql",
                    "EngineVersion": "8.0.mysql_aurora.3.05.2",
                    "DBInstanceStatus": "available",
                    "DBClusterIdentifier": aurora,
                    "Endpoint": {
                        "Address": f"{d}.{suffix}.{region}.rds.amazonaws.com",
                        "Port": 3306,
                        "HostedZoneId": "Z2XHWR1WZ565X2",
                    },
                    "AvailabilityZone": net.azs[i],
                    "MultiAZ": False,
                    "PubliclyAccessible": False,
                    "PromotionTier": 1,
                    "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{d}",
                    "StorageEncrypted": True,
                    "InstanceCreateTime": k.iso_ms(day - timedelta(days=900 - 200 * i)),
                    "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
                    "AutoMinorVersionUpgrade": True,
                    "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                    "DBParameterGroups": [
                        {"DBParameterGroupName": "default.aurora-mysql8.0", "ParameterApplyStatus": "in-sync"}
                    ],
                    "MonitoringInterval": 60,
                    "PerformanceInsightsEnabled": True,
                    "EnabledCloudwatchLogsExports": ["error", "slowquery"],
                },
            }
        )

    # --- metrics ---
    m: list[dict[str, Any]] = []
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    rq: dict[datetime, float] = {}

    def req(t: datetime, p: int) -> float:
        if t not in rq:
            rq[t] = round(traffic(t) * p / 60 * nz.uniform(0.93, 1.07))
        return rq[t]

    five: list[tuple[datetime, float]] = []

    def t5(t: datetime, p: int) -> float | None:
        v = round(req(t, p) * err_frac(t)) + (1 if nz.random() < 0.03 * p / 60 else 0)
        if p == 60:
            five.append((t, float(v)))
        return float(v) if v else None

    m += k.series("AWS/ApplicationELB", "RequestCount", tgd, "Count", pts, req, "sum")
    m += k.series("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tgd, "Count", pts, t5, "sum")
    m += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb_dim},
        "Count",
        pts,
        lambda t, p: float(round(req(t, p) * 0.01)) if down(t) else None,
        "sum",
    )
    m += k.series("AWS/ApplicationELB", "HealthyHostCount", tgd, "Count", pts, lambda t, p: 6.0)
    m += k.latency_dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        pts,
        lambda t, p: (
            0.045 * (1 + 1.8 * cold(t)) * (14 if down(t) else 1),
            1.0 if not down(t) else 2.2,
            req(t, p),
        ),
        nz,
    )
    m += k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": api},
        "Percent",
        pts,
        lambda t, p: (10 if down(t) else 14) + 28 * k.diurnal(t + off, 13.0, 0.1) + nz.gauss(0, 1.4),
        "stat",
    )
    for i, d in enumerate(insts):
        dd = {"DBInstanceIdentifier": d}
        is_bad = d == bad

        def gap(t: datetime, v: float, is_bad: bool = is_bad) -> float | None:
            if is_bad and recov_start - timedelta(minutes=1) <= t < back:
                return None
            return v

        def cpu(t: datetime, p: int, i: int = i, is_bad: bool = is_bad) -> float | None:
            base = (18 if i == 0 else 24) + 30 * k.diurnal(t + off, 13.0, 0.1)
            if is_bad and onset <= t < recov_start:
                base = nz.uniform(1, 4)
            elif not is_bad and i > 0 and down(t):
                base *= 1.35
            elif is_bad:
                base *= 1 + 0.6 * cold(t)
            return gap(t, base + nz.gauss(0, 1.5))

        m += k.series("AWS/RDS", "CPUUtilization", dd, "Percent", pts, cpu, "stat")

        def conns(t: datetime, p: int, i: int = i, is_bad: bool = is_bad) -> float | None:
            if i == 0:
                v = 96.0
            elif is_bad:
                v = (
                    60.0
                    if not (back <= t < back + timedelta(minutes=6))
                    else 20.0 + (t - back).seconds / 360 * 40
                )
                if onset <= t < recov_start:
                    v = 60.0
            else:
                v = 60.0 + (40.0 if down(t) or back <= t < back + timedelta(minutes=6) else 0.0)
            return gap(t, v + nz.randrange(-3, 4))

        m += k.series("AWS/RDS", "DatabaseConnections", dd, "Count", pts, conns, "stat")

        def hit(t: datetime, p: int, is_bad: bool = is_bad) -> float | None:
            v = 99.6 + nz.uniform(-0.15, 0.25)
            if is_bad:
                v -= 22 * cold(t)
            return gap(t, min(100.0, v))

        m += k.series("AWS/RDS", "BufferCacheHitRatio", dd, "Percent", pts, hit, "stat")

        def sel(t: datetime, p: int, i: int = i, is_bad: bool = is_bad) -> float | None:
            v = 0.9 + 0.4 * k.diurnal(t + off, 13.0, 0) + nz.gauss(0, 0.05)
            if is_bad:
                v *= 1 + 7 * cold(t)
            return gap(t, v)

        m += k.series("AWS/RDS", "SelectLatency", dd, "Milliseconds", pts, sel, "stat")
        if i > 0:
            m += k.series(
                "AWS/RDS",
                "AuroraReplicaLag",
                dd,
                "Milliseconds",
                pts,
                lambda t, p, is_bad=is_bad: gap(t, 14 + abs(nz.gauss(0, 4))),
                "stat",
            )
        m += k.series(
            "AWS/RDS",
            "FreeableMemory",
            dd,
            "Bytes",
            pts,
            lambda t, p, is_bad=is_bad: gap(
                t, (27e9 if not is_bad else 27e9 + 18e9 * cold(t)) + nz.gauss(0, 1e8)
            ),
        )

    # --- alarm ---
    alarm_name = "torquebay-fitment-api-5xx"
    th = 40.0
    idx = k.first_run(five, th, 2)
    assert idx is not None
    stamps = [five[j][0] for j in range(idx - 1, idx + 1)]
    vals = [five[j][1] for j in range(idx - 1, idx + 1)]
    fire_at = stamps[-1] + timedelta(seconds=60 + rng.randrange(10, 40))
    reason, rdata = k.threshold_reason(vals, stamps, th, "greater than", 60, "Sum")
    j = idx + 1
    while five[j][1] > th:
        j += 1
    ok_at = five[j][0] + timedelta(seconds=60 + rng.randrange(10, 40))
    ok_reason = (
        f"Threshold Crossed: 1 out of the last 2 datapoints [{five[j][1]:g} ({k.iso(five[j][0])[8:16].replace('T', '/')})] "
        f"was not greater than the threshold ({th:g}) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    ok_data = dict(rdata)
    ok_data["recentDatapoints"] = [five[j][1]]
    alarm = k.metric_alarm(
        account,
        region,
        alarm_name,
        "Fitment API target 5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Sum",
        60,
        2,
        th,
        "GreaterThanThreshold",
        "OK",
        ok_at,
        ok_reason,
        ok_data,
        topic,
        treat_missing="notBreaching",
    )
    hist = [
        k.state_update(alarm, fire_at, "OK", "ALARM", reason, rdata),
        k.action_item(alarm, fire_at, topic),
        k.state_update(alarm, ok_at, "ALARM", "OK", ok_reason, ok_data),
        k.action_item(alarm, ok_at, topic),
    ]
    alarms = [alarm]
    for nm, ns, met, dims, st, per, ev_n, thr in (
        (
            f"{aurora}-writer-cpu",
            "AWS/RDS",
            "CPUUtilization",
            {"DBInstanceIdentifier": insts[0]},
            "Average",
            300,
            3,
            80.0,
        ),
        (
            f"{aurora}-replica-lag",
            "AWS/RDS",
            "AuroraReplicaLagMaximum",
            {"DBClusterIdentifier": aurora},
            "Maximum",
            60,
            5,
            2000.0,
        ),
        (
            "torquebay-fitment-api-latency",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "Average",
            300,
            3,
            2.0,
        ),
        (
            "torquebay-api-elb-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            {"LoadBalancer": lb_dim},
            "Sum",
            300,
            1,
            200.0,
        ),
    ):
        alarms.append(
            k.ok_alarm(
                account,
                region,
                nm,
                "",
                ns,
                met,
                dims,
                st,
                per,
                ev_n,
                thr,
                "GreaterThanThreshold",
                start - timedelta(days=rng.randrange(10, 90)),
                topic,
            )
        )

    # --- RDS events ---
    events: list[dict[str, Any]] = []

    def rds_ev(t: datetime, src: str, msg: str, cat: str, kind: str = "db-instance") -> None:
        arn_kind = "db" if kind == "db-instance" else "cluster"
        events.append(
            {
                "source": "rds",
                "item": {
                    "SourceIdentifier": src,
                    "SourceType": kind,
                    "Message": msg,
                    "EventCategories": [cat],
                    "Date": k.iso_ms(t),
                    "SourceArn": f"arn:aws:rds:{region}:{account}:{arn_kind}:{src}",
                },
            }
        )

    rds_ev(
        recov_start,
        bad,
        "Recovery of the DB instance has started. Recovery time will vary with the amount of data to be recovered.",
        "recovery",
    )
    rds_ev(back - timedelta(seconds=rng.randrange(20, 60)), bad, "DB instance restarted", "availability")
    rds_ev(back, bad, "Recovery of the DB instance is complete.", "recovery")
    b = onset.replace(hour=8, minute=rng.randrange(2, 20))
    if b > onset:
        b -= timedelta(days=1)
    if b > start:
        rds_ev(b, aurora, "Backing up DB cluster", "backup", "db-cluster")
        rds_ev(
            b + timedelta(minutes=rng.randrange(3, 9)),
            aurora,
            "Finished DB cluster backup",
            "backup",
            "db-cluster",
        )

    # --- logs ---
    logs: list[dict[str, Any]] = []
    lg = f"/ecs/{api}"
    tasks = [k.task_id(rng) for _ in range(6)]
    reader_ep = f"{aurora}.cluster-ro-{suffix}.{region}.rds.amazonaws.com"
    t = onset - timedelta(hours=3)
    while t < now:
        for tk in tasks[::2]:
            ts = t + timedelta(milliseconds=nz.randrange(0, 59000))
            ymmt = f"{nz.choice(['2014', '2017', '2019', '2021'])}/{nz.choice(['ford', 'toyota', 'honda', 'chevrolet'])}"
            if down(t) and nz.random() < share:
                thread = f"http-nio-8080-exec-{nz.randrange(1, 200)}"
                if nz.random() < 0.5:
                    msg = (
                        f"{k.iso_ms(ts)} ERROR [{thread}] c.t.fitment.web.ErrorAdvice - GET /v1/fitment/{ymmt} failed\n"
                        "org.springframework.dao.DataAccessResourceFailureException: Unable to acquire JDBC Connection\n"
                        "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 10000ms (total=40, active=40, idle=0, waiting=37)\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n"
                        "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)\n"
                        "\tat com.zaxxer.hikari.HikariDataSource.getConnection(HikariDataSource.java:128)"
                    )
                else:
                    msg = (
                        f"{k.iso_ms(ts)} ERROR [{thread}] c.t.fitment.web.ErrorAdvice - GET /v1/fitment/{ymmt} failed\n"
                        "org.springframework.dao.RecoverableDataAccessException: PreparedStatementCallback; SQL [select p.sku, p.part_no, f.notes from fitment f join part p on p.id = f.part_id where f.vehicle_id = ?]; Communications link failure\n\n"
                        f"The last packet successfully received from the server was {nz.randrange(15000, 15400):,} milliseconds ago. The last packet sent successfully to the server was {nz.randrange(15000, 15400):,} milliseconds ago.\n"
                        "Caused by: com.mysql.cj.jdbc.exceptions.CommunicationsException: Communications link failure\n"
                        "\tat com.mysql.cj.jdbc.exceptions.SQLError.createCommunicationsException(SQLError.java:175)\n"
                        "Caused by: java.net.SocketTimeoutException: Read timed out\n"
                        "\tat java.base/sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:288)"
                    )
            else:
                ms = nz.randrange(18, 70) if not cold(t) else nz.randrange(40, 400)
                msg = f"{k.iso_ms(ts)} INFO  [http-nio-8080-exec-{nz.randrange(1, 200)}] c.t.fitment.web.AccessLog - GET /v1/fitment/{ymmt} 200 {ms}ms"
            logs.append(
                {"log_group": lg, "log_stream": f"ecs/{api}/{tk}", "timestamp": k.ms(ts), "message": msg}
            )
        if down(t) and nz.random() < 0.3:
            ts = t + timedelta(seconds=nz.randrange(60))
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f"ecs/{api}/{nz.choice(tasks)}",
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso_ms(ts)} WARN  [HikariPool-1 housekeeper] com.zaxxer.hikari.pool.HikariPool - HikariPool-1 - Thread starvation or clock leap detected (housekeeper delta={nz.randrange(40, 75)}s).",
                }
            )
        if back <= t < back + timedelta(minutes=3) and nz.random() < 0.5:
            ts = t + timedelta(seconds=nz.randrange(60))
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f"ecs/{api}/{nz.choice(tasks)}",
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso_ms(ts)} WARN  [HikariPool-1 connection adder] com.zaxxer.hikari.pool.PoolBase - HikariPool-1 - Failed to validate connection com.mysql.cj.jdbc.ConnectionImpl@{k.hexid(nz, 8)} (Communications link failure). Possibly consider using a shorter maxLifetime value.",
                }
            )
        if nz.random() < 0.02:
            ts = t + timedelta(seconds=nz.randrange(60))
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f"ecs/{api}/{nz.choice(tasks)}",
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso_ms(ts)} WARN  [http-nio-8080-exec-{nz.randrange(1, 200)}] c.t.fitment.service.VinDecoder - VIN decode fallback to year/make/model for {k.alnum(nz, 17)}",
                }
            )
        t += timedelta(minutes=1)
    for tk in tasks:
        ts = onset - timedelta(hours=2, minutes=nz.randrange(1, 50))
        logs.append(
            {
                "log_group": lg,
                "log_stream": f"ecs/{api}/{tk}",
                "timestamp": k.ms(ts),
                "message": f"{k.iso_ms(ts)} INFO  [main] c.t.fitment.config.DataSourceConfig - reader datasource jdbc:mysql://{reader_ep}:3306/catalog pool=40 connectionTimeout=10000 socketTimeout=15000",
            }
        )
    err_lg = f"/aws/rds/instance/{bad}/error"
    tb = back - timedelta(seconds=50)
    for off_s, line in enumerate(
        [
            "[System] [MY-010116] [Server] /rdsdbbin/oscar/bin/mysqld (mysqld 8.0.32) starting as process 682",
            "[Note] [MY-010747] [Server] Plugin 'FEDERATED' is disabled.",
            "[System] [MY-013576] [InnoDB] InnoDB initialization has started.",
            "[System] [MY-013577] [InnoDB] InnoDB initialization has ended.",
            "[System] [MY-010931] [Server] /rdsdbbin/oscar/bin/mysqld: ready for connections. Version: '8.0.32'  socket: '/tmp/mysql.sock'  port: 3306  Source distribution.",
        ]
    ):
        tt = tb + timedelta(seconds=off_s * 4)
        logs.append(
            {
                "log_group": err_lg,
                "log_stream": bad,
                "timestamp": k.ms(tt),
                "message": f"{k.iso(tt)[:-1]}.{nz.randrange(100000, 999999)}Z 0 {line}",
            }
        )
    for d in insts:
        for _ in range(3):
            tt = k.between(nz, onset - timedelta(hours=3), onset - timedelta(minutes=5))
            logs.append(
                {
                    "log_group": f"/aws/rds/instance/{d}/error",
                    "log_stream": d,
                    "timestamp": k.ms(tt),
                    "message": f"{k.iso(tt)[:-1]}.{nz.randrange(100000, 999999)}Z {nz.randrange(100, 9999)} [Note] [MY-010914] [Server] Aborted connection {nz.randrange(10000, 99999)} to db: 'catalog' user: 'fitment_ro' host: '{net.ip(nz)}' (Got an error reading communication packets).",
                }
            )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # --- CloudTrail ---
    tr = k.Trail(rng, account, region)
    ci = tr.role("torquebay-github-deploy", f"GitHubActions-{rng.randrange(10**9, 10**10)}")
    dba = tr.sso(rng.choice(["rosa.jimenez", "brett.sommer", "yuki.tanaka"]), "DatabaseAdmin")
    dev = tr.sso(rng.choice(["andre.lewis", "kim.osei", "paul.varga"]), "Developer")
    ip_d, ip_v = k.public_ip(rng), k.public_ip(rng)
    gh_ip = f"4.{rng.randrange(140, 250)}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}"
    gh_ua = "aws-sdk-js/3.540.0 ua/2.0 os/linux#6.5.0-1017-azure lang/js md/nodejs#20.11.1 api/ecs#3.540.0"
    r = rng.randrange(500, 900)
    tr.add(
        store_deploy - timedelta(seconds=15),
        ci,
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        {
            "family": store,
            "networkMode": "awsvpc",
            "cpu": "512",
            "memory": "1024",
            "containerDefinitions": [
                {
                    "name": store,
                    "image": f"{account}.dkr.ecr.{region}.amazonaws.com/{store}:{k.hexid(rng, 7)}",
                    "essential": True,
                }
            ],
        },
        {
            "taskDefinition": {
                "family": store,
                "revision": r,
                "status": "ACTIVE",
                "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{store}:{r}",
            }
        },
        ip=gh_ip,
        agent=gh_ua,
    )
    tr.add(
        store_deploy,
        ci,
        "ecs.amazonaws.com",
        "UpdateService",
        {"cluster": cluster, "service": store, "taskDefinition": f"{store}:{r}"},
        {
            "service": {
                "serviceName": store,
                "desiredCount": 4,
                "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{store}:{r}",
            }
        },
        ip=gh_ip,
        agent=gh_ua,
    )
    tr.add(
        onset - timedelta(minutes=rng.randrange(4, 12)),
        dba,
        "rds.amazonaws.com",
        "AddTagsToResource",
        {
            "resourceName": f"arn:aws:rds:{region}:{account}:cluster:{aurora}",
            "tags": [{"key": "cost-center", "value": "catalog-platform"}],
        },
        None,
        ip=ip_d,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        onset - timedelta(minutes=rng.randrange(1, 4)),
        dba,
        "rds.amazonaws.com",
        "ModifyDBInstance",
        {
            "dBInstanceIdentifier": insts[1],
            "preferredMaintenanceWindow": "sun:10:00-sun:10:30",
            "applyImmediately": False,
        },
        {
            "dBInstanceIdentifier": insts[1],
            "dBInstanceClass": "db.r6g.2xlarge",
            "engine": "aurora-mysql",
            "dBInstanceStatus": "available",
            "preferredMaintenanceWindow": "sun:10:00-sun:10:30",
            "pendingModifiedValues": {},
        },
        ip=ip_d,
        agent=k.CONSOLE_UA,
    )
    reads: list[tuple[dict[str, Any], str, str, dict[str, Any]]] = [
        (dba, "rds.amazonaws.com", "DescribeDBClusters", {"dBClusterIdentifier": aurora}),
        (dba, "rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": insts[1]}),
        (dev, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [api, store]}),
        (dev, "logs.amazonaws.com", "StartQuery", {"logGroupNames": [lg]}),
        (ci, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [store]}),
        (dba, "pi.amazonaws.com", "DescribeDimensionKeys", {"serviceType": "RDS"}),
        (dev, "monitoring.amazonaws.com", "GetMetricData", {"startTime": "", "endTime": ""}),
    ]
    for i in range(26):
        who, src, nm, prm = reads[i % len(reads)]
        at = k.between(rng, start, now)
        prm = dict(prm)
        if "startTime" in prm:
            prm = {"startTime": k.iso(at - timedelta(hours=3)), "endTime": k.iso(at)}
        tr.add(
            at,
            who,
            src,
            nm,
            prm,
            None,
            read_only=nm != "StartQuery",
            ip=ip_d if who is dba else ip_v if who is dev else gh_ip,
            agent=gh_ua if who is ci else k.CONSOLE_UA,
        )
    for _ in range(5):
        at = k.between(rng, start, now)
        tr.add(
            at,
            tr.service("monitoring.rds.amazonaws.com"),
            "sts.amazonaws.com",
            "AssumeRole",
            {
                "roleArn": f"arn:aws:iam::{account}:role/rds-monitoring-role",
                "roleSessionName": k.alnum(rng, 20, False),
            },
            {
                "credentials": {
                    "accessKeyId": "ASIA" + k.alnum(rng, 16),
                    "sessionToken": "<redacted>",
                    "expiration": k.iso(at + timedelta(hours=1)),
                }
            },
            read_only=True,
        )
    ct = tr.sorted()

    local = onset + off
    mins = (local.minute // 5) * 5
    ampm = "am" if local.hour < 12 else "pm"
    question = (
        f"Fitment lookups on the site were erroring and timing out from about {local.hour % 12 or 12}:{mins:02d}{ampm} "
        "for maybe twenty minutes. It's mostly back now but still noticeably slower than normal. Nothing of "
        "ours was deployed except the storefront. What happened, and is it going to happen again?"
    )
    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": question, "alarm_event": None, "timezone": TZ},
            "truth": {
                "no_fault": False,
                "root_cause": {
                    "resource": bad,
                    "category": "component_failure",
                    "failure_mode": "aurora-reader-instance-host-failure",
                },
                "also_accept": [f"arn:aws:rds:{region}:{account}:db:{bad}"],
                "actions": ["exclude", "scale"],
                "chain": [
                    f"Aurora reader {bad} stops responding and RDS recovers it",
                    f"{api} pooled connections via the {aurora} reader endpoint to {bad} hang and time out",
                    f"{api} returns 5xx and slow responses until {bad} is back",
                    f"{bad} comes back with a cold buffer pool, so reads routed to it stay slow",
                ],
            },
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": m,
            "alarms": alarms,
            "alarm_history": hist,
            "logs": logs,
            "cloudtrail": ct,
            "resources": res,
            "events": events,
        },
    )
