"""Fieldnorth (equipment rentals): a database connections page during a routine rollout."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zx as k

NAME = "fieldnorth-db-connections-page"
TITLE = "fieldnorth-rentals-pg connections alarm paged mid-morning and cleared on its own"
SUMMARY = (
    "A rolling ECS deploy briefly runs old and new tasks side by side, each with a fixed JDBC pool; "
    "connections double for a few minutes and trip a recently added alarm. Nothing is wrong."
)


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    nz = random.Random(f"{NAME}:{seed}:noise")
    account = "".join(rng.choice("0123456789") for _ in range(12)).replace("0", "3", 1)
    region = rng.choice(["us-east-2", "us-west-2", "ca-central-1"])
    net = k.Net(rng, account, region, rng.choice([40, 64, 96]))
    day = k.pick_day(rng)
    deploy_at = day + timedelta(hours=rng.randrange(14, 17), minutes=rng.randrange(0, 59))  # US morning
    prev_deploy = deploy_at - timedelta(days=3, hours=rng.randrange(1, 5), minutes=rng.randrange(0, 50))
    start = deploy_at - timedelta(days=3, hours=8)
    tasks_n = rng.choice([6, 8])
    pool = 20
    overlap = timedelta(minutes=rng.randrange(5, 8))
    now = deploy_at + timedelta(minutes=rng.randrange(38, 55))
    fine = deploy_at - timedelta(hours=3)
    pts = k.times(start, now, fine)
    alarm_created = deploy_at - timedelta(days=1, hours=rng.randrange(2, 20))

    cluster = "fieldnorth-prod"
    api = "fieldnorth-rentals-api"
    worker = "fieldnorth-rentals-worker"
    db = "fieldnorth-rentals-pg"
    topic = f"arn:aws:sns:{region}:{account}:fieldnorth-pager"
    rev = rng.randrange(300, 700)

    def overlap_at(t: datetime) -> float:
        """Extra tasks holding a pool at time t (rolling deploys start all new tasks first)."""
        for d in (prev_deploy, deploy_at):
            if d + timedelta(seconds=70) <= t < d + timedelta(seconds=70) + overlap:
                return float(tasks_n)
        return 0.0

    def traffic(t: datetime) -> float:
        return 3000 * k.diurnal(t, 18.0, 0.12)

    sg_alb, sg_api, sg_db = ("sg-" + k.hexid(rng, 17) for _ in range(3))
    res: list[dict[str, Any]] = []
    alb_res, _lb_arn, tg_arn, lb_dim, tg_dim = k.alb_resources(
        net, rng, "fieldnorth-public", "fieldnorth-rentals-api", sg_alb, day - timedelta(days=600), 8080
    )
    res += alb_res
    res.append(k.security_group(net, sg_alb, "fieldnorth-public-alb", "public ALB", 443, None))
    res.append(k.security_group(net, sg_api, "fieldnorth-rentals-tasks", "rentals tasks", 8080, sg_alb))
    res.append(k.security_group(net, sg_db, "fieldnorth-rentals-pg", "rentals postgres", 5432, sg_api))
    old_tasks = [k.task_id(rng) for _ in range(tasks_n)]
    new_tasks = [k.task_id(rng) for _ in range(tasks_n)]
    ips = {t: net.ip(rng, i % 3) for i, t in enumerate(old_tasks + new_tasks)}
    dep_id = f"ecs-svc/{rng.randrange(10**18, 10**19)}"
    svc_events = [
        (
            deploy_at + timedelta(seconds=35),
            f"(service {api}) has started {tasks_n} tasks: " + " ".join(f"(task {t})." for t in new_tasks),
        ),
        (
            deploy_at + timedelta(seconds=70),
            f"(service {api}) registered {tasks_n} targets in (target-group {tg_arn})",
        ),
        (
            deploy_at + timedelta(seconds=70) + overlap - timedelta(seconds=40),
            f"(service {api}) has begun draining connections on {tasks_n} tasks.",
        ),
        (
            deploy_at + timedelta(seconds=70) + overlap - timedelta(seconds=38),
            f"(service {api}) deregistered {tasks_n} targets in (target-group {tg_arn})",
        ),
        (
            deploy_at + timedelta(seconds=70) + overlap,
            f"(service {api}) has stopped {tasks_n} running tasks: "
            + " ".join(f"(task {t})." for t in old_tasks),
        ),
        (
            deploy_at + timedelta(seconds=70) + overlap + timedelta(minutes=1),
            f"(service {api}) deployment {dep_id} completed.",
        ),
        (
            deploy_at + timedelta(seconds=70) + overlap + timedelta(minutes=1, seconds=2),
            f"(service {api}) has reached a steady state.",
        ),
        (prev_deploy + timedelta(minutes=9), f"(service {api}) has reached a steady state."),
    ]
    res += k.ecs_service(
        net,
        cluster,
        api,
        api,
        rev,
        tasks_n,
        tg_arn,
        8080,
        sg_api,
        day - timedelta(days=600),
        deploy_at,
        rng,
        svc_events,
    )
    res += k.ecs_service(
        net,
        cluster,
        worker,
        worker,
        rng.randrange(100, 300),
        2,
        None,
        8080,
        sg_api,
        day - timedelta(days=500),
        day - timedelta(days=9),
        rng,
        [
            (deploy_at - timedelta(hours=h), f"(service {worker}) has reached a steady state.")
            for h in (1, 7, 13)
        ],
    )
    res.append(k.ecs_cluster(net, cluster, 3, tasks_n + 2 + 2))
    endpoint = f"{db}.{k.alnum(rng, 12, False)}.{region}.rds.amazonaws.com"
    res.append(
        {
            "service": "rds",
            "type": "DBInstance",
            "item": {
                "DBInstanceIdentifier": db,
                "DBInstanceClass": "db.m6g.xlarge",
                "Engine": "postgres",
                "DBInstanceStatus": "available",
                "MasterUsername": "fieldnorth",
                "DBName": "rentals",
                "Endpoint": {"Address": endpoint, "Port": 5432, "HostedZoneId": "Z" + k.alnum(rng, 13)},
                "AllocatedStorage": 400,
                "InstanceCreateTime": k.iso_ms(day - timedelta(days=800)),
                "PreferredBackupWindow": "07:00-07:30",
                "BackupRetentionPeriod": 14,
                "DBSecurityGroups": [],
                "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
                "DBParameterGroups": [
                    {"DBParameterGroupName": "fieldnorth-pg16", "ParameterApplyStatus": "in-sync"}
                ],
                "AvailabilityZone": net.azs[0],
                "PreferredMaintenanceWindow": "sun:09:00-sun:09:30",
                "PendingModifiedValues": {},
                "LatestRestorableTime": k.iso_ms(now - timedelta(minutes=4)),
                "MultiAZ": True,
                "EngineVersion": "16.3",
                "AutoMinorVersionUpgrade": True,
                "ReadReplicaDBInstanceIdentifiers": [],
                "LicenseModel": "postgresql-license",
                "Iops": 12000,
                "StorageThroughput": 500,
                "SecondaryAvailabilityZone": net.azs[1],
                "PubliclyAccessible": False,
                "StorageType": "gp3",
                "DbInstancePort": 0,
                "StorageEncrypted": True,
                "DbiResourceId": "db-" + k.alnum(rng, 26),
                "CACertificateIdentifier": "rds-ca-rsa2048-g1",
                "CopyTagsToSnapshot": True,
                "MonitoringInterval": 60,
                "DBInstanceArn": f"arn:aws:rds:{region}:{account}:db:{db}",
                "IAMDatabaseAuthenticationEnabled": False,
                "PerformanceInsightsEnabled": True,
                "PerformanceInsightsRetentionPeriod": 7,
                "EnabledCloudwatchLogsExports": ["postgresql"],
                "DeletionProtection": True,
                "MaxAllocatedStorage": 1000,
                "TagList": [{"Key": "team", "Value": "rentals"}],
                "NetworkType": "IPV4",
            },
        }
    )
    res.append(
        {
            "service": "rds",
            "type": "DBParameter",
            "item": {
                "DBParameterGroupName": "fieldnorth-pg16",
                "ParameterName": "max_connections",
                "ParameterValue": "LEAST({DBInstanceClassMemory/9531392},5000)",
                "Description": "Sets the maximum number of concurrent connections.",
                "Source": "system",
                "ApplyType": "static",
                "DataType": "integer",
                "AllowedValues": "6-262143",
                "IsModifiable": True,
                "ApplyMethod": "pending-reboot",
            },
        }
    )

    # --- metrics ---
    base_conn = tasks_n * pool + 2 * 10 + 3  # api pools, worker pools, rdsadmin/monitoring

    def conns(t: datetime, p: int) -> float:
        extra = overlap_at(t) * pool
        if p == 300:
            extra = max(overlap_at(t + timedelta(minutes=i)) for i in range(5)) * pool
        return float(base_conn + extra + nz.choice([0, 0, 0, 1, 2, -1]))

    m: list[dict[str, Any]] = []
    dd = {"DBInstanceIdentifier": db}
    conn_pts: list[tuple[datetime, float]] = []

    def conns_rec(t: datetime, p: int) -> float:
        v = conns(t, p)
        if p == 60:
            conn_pts.append((t, v))
        return v

    m += k.series("AWS/RDS", "DatabaseConnections", dd, "Count", pts, conns_rec)
    m += k.series(
        "AWS/RDS",
        "CPUUtilization",
        dd,
        "Percent",
        pts,
        lambda t, p: 9 + 26 * k.diurnal(t, 18.0, 0.1) + (6 if overlap_at(t) else 0) + nz.gauss(0, 1.3),
        "stat",
    )
    m += k.series(
        "AWS/RDS",
        "FreeableMemory",
        dd,
        "Bytes",
        pts,
        lambda t, p: 5.6e9 - overlap_at(t) * pool * 9.5e6 + nz.gauss(0, 4e7),
    )
    m += k.series(
        "AWS/RDS",
        "ReadIOPS",
        dd,
        "Count/Second",
        pts,
        lambda t, p: 220 + 900 * k.diurnal(t, 18.0, 0.05) + nz.gauss(0, 25),
        "stat",
    )
    m += k.series(
        "AWS/RDS",
        "WriteIOPS",
        dd,
        "Count/Second",
        pts,
        lambda t, p: 140 + 420 * k.diurnal(t, 18.0, 0.05) + nz.gauss(0, 15),
        "stat",
    )
    m += k.series(
        "AWS/RDS", "ReadLatency", dd, "Seconds", pts, lambda t, p: abs(nz.gauss(0.0009, 0.00015)), "stat"
    )
    m += k.series(
        "AWS/RDS", "WriteLatency", dd, "Seconds", pts, lambda t, p: abs(nz.gauss(0.0016, 0.0002)), "stat"
    )
    tgd = {"TargetGroup": tg_dim, "LoadBalancer": lb_dim}
    m += k.series(
        "AWS/ApplicationELB",
        "RequestCount",
        tgd,
        "Count",
        pts,
        lambda t, p: round(traffic(t) * p / 60 * nz.uniform(0.93, 1.07)),
        "sum",
    )
    m += k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        tgd,
        "Count",
        pts,
        lambda t, p: 1.0 if nz.random() < 0.03 * p / 60 else None,
        "sum",
    )
    m += k.series(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        tgd,
        "Count",
        pts,
        lambda t, p: float(tasks_n + overlap_at(t)),
    )
    m += k.latency_dist(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        tgd,
        "Seconds",
        pts,
        lambda t, p: (0.052 * (1.25 if overlap_at(t) else 1.0), 1.0, traffic(t) * p / 60),
        nz,
    )
    m += k.series(
        "AWS/ECS",
        "CPUUtilization",
        {"ClusterName": cluster, "ServiceName": api},
        "Percent",
        pts,
        lambda t, p: 11 + 30 * k.diurnal(t, 18.0, 0.1) + nz.gauss(0, 1.5),
        "stat",
    )

    # --- alarms ---
    alarm_name = f"{db}-connections-high"
    th = float(base_conn + pool * tasks_n // 2)
    idx = k.first_run(conn_pts, th, 3)
    assert idx is not None
    stamps = [conn_pts[j][0] for j in range(idx - 2, idx + 1)]
    vals = [conn_pts[j][1] for j in range(idx - 2, idx + 1)]
    fire_at = stamps[-1] + timedelta(seconds=60 + rng.randrange(10, 40))
    reason, rdata = k.threshold_reason(vals, stamps, th, "greater than", 60, "Maximum")
    j = idx + 1
    while conn_pts[j][1] > th:
        j += 1
    ok_at = conn_pts[j][0] + timedelta(seconds=60 + rng.randrange(10, 40))
    ok_reason = (
        f"Threshold Crossed: 1 out of the last 3 datapoints [{conn_pts[j][1]:g} ({k.iso(conn_pts[j][0])[8:16].replace('T', '/')})] "
        f"was not greater than the threshold ({th:g}) (minimum 1 datapoint for ALARM -> OK transition)."
    )
    ok_data = dict(rdata)
    ok_data["recentDatapoints"] = [conn_pts[j][1]]
    alarm = k.metric_alarm(
        account,
        region,
        alarm_name,
        "Connections on the rentals database",
        "AWS/RDS",
        "DatabaseConnections",
        dd,
        "Maximum",
        60,
        3,
        th,
        "GreaterThanThreshold",
        "OK",
        ok_at,
        ok_reason,
        ok_data,
        topic,
        created=alarm_created,
    )
    hist = [
        {
            "AlarmName": alarm_name,
            "AlarmType": "MetricAlarm",
            "Timestamp": k.iso_ms(alarm_created),
            "HistoryItemType": "ConfigurationUpdate",
            "HistorySummary": f'Alarm "{alarm_name}" created',
            "HistoryData": json.dumps(
                {
                    "type": "Create",
                    "createdAlarm": {
                        "alarmName": alarm_name,
                        "threshold": th,
                        "metricName": "DatabaseConnections",
                        "period": 60,
                        "evaluationPeriods": 3,
                    },
                },
                separators=(",", ":"),
            ),
        },
        k.state_update(
            alarm,
            alarm_created + timedelta(seconds=50),
            "INSUFFICIENT_DATA",
            "OK",
            f"Threshold Crossed: 3 datapoints were not greater than the threshold ({th:g}).",
        ),
        k.state_update(alarm, fire_at, "OK", "ALARM", reason, rdata),
        k.action_item(alarm, fire_at, topic),
        k.state_update(alarm, ok_at, "ALARM", "OK", ok_reason, ok_data),
        k.action_item(alarm, ok_at, topic),
    ]
    trig = k.alarm_event(alarm, account, region, fire_at, reason, rdata, rng)
    trig["detail"]["previousState"]["timestamp"] = k.iso_ms(alarm_created + timedelta(seconds=50)).replace(
        "Z", "+0000"
    )
    alarms = [alarm]
    for nm, ns, met, dims, st, per, ev_n, thr in (
        (f"{db}-cpu-high", "AWS/RDS", "CPUUtilization", dd, "Average", 300, 3, 80.0),
        (f"{db}-free-storage-low", "AWS/RDS", "FreeStorageSpace", dd, "Minimum", 300, 1, 40e9),
        (
            "fieldnorth-rentals-api-5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            tgd,
            "Sum",
            60,
            3,
            20.0,
        ),
        (
            "fieldnorth-rentals-api-p99",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            tgd,
            "Average",
            60,
            5,
            1.0,
        ),
    ):
        op = "LessThanThreshold" if "storage" in nm else "GreaterThanThreshold"
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
                op,
                start - timedelta(days=rng.randrange(10, 90)),
                topic,
            )
        )

    # --- target health and RDS events ---
    events: list[dict[str, Any]] = []
    for i, tk in enumerate(new_tasks):
        tgt = {"Id": ips[tk], "Port": 8080, "AvailabilityZone": net.azs[i % 3]}
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {
                        "State": "initial",
                        "Reason": "Elb.RegistrationInProgress",
                        "Description": "Target registration is in progress",
                    },
                    "timestamp": k.iso(deploy_at + timedelta(seconds=70)),
                },
            }
        )
        events.append(
            {
                "source": "target_health",
                "item": {
                    "target_group_arn": tg_arn,
                    "target": tgt,
                    "health": {"State": "healthy"},
                    "timestamp": k.iso(deploy_at + timedelta(seconds=115)),
                },
            }
        )
    for d in range(4):
        b = day - timedelta(days=d) + timedelta(hours=7, minutes=rng.randrange(1, 20))
        if start < b < now:
            for msg, off in (
                ("Backing up DB instance", 0),
                ("Finished DB Instance backup", rng.randrange(6, 14)),
            ):
                events.append(
                    {
                        "source": "rds",
                        "item": {
                            "SourceIdentifier": db,
                            "SourceType": "db-instance",
                            "Message": msg,
                            "EventCategories": ["backup"],
                            "Date": k.iso_ms(b + timedelta(minutes=off)),
                            "SourceArn": f"arn:aws:rds:{region}:{account}:db:{db}",
                        },
                    }
                )

    # --- logs ---
    logs: list[dict[str, Any]] = []
    lg = f"/ecs/{api}"
    t = deploy_at - timedelta(hours=2)
    while t < now:
        live = list(old_tasks) if t < deploy_at + timedelta(seconds=70) + overlap else []
        if t >= deploy_at + timedelta(seconds=40):
            live += new_tasks
        for tk in live[:: max(1, len(live) // 4)]:
            ts = t + timedelta(milliseconds=nz.randrange(0, 59000))
            lvl, logger, msg = nz.choice(
                [
                    (
                        "INFO",
                        "c.f.rentals.web.RequestLog",
                        f"GET /api/v2/equipment/{nz.randrange(1000, 9999)}/availability 200 {nz.randrange(12, 80)}ms",
                    ),
                    (
                        "INFO",
                        "c.f.rentals.web.RequestLog",
                        f"POST /api/v2/reservations 201 {nz.randrange(40, 160)}ms",
                    ),
                    (
                        "INFO",
                        "c.f.rentals.web.RequestLog",
                        f"GET /api/v2/depots/{nz.randrange(10, 60)}/fleet 200 {nz.randrange(20, 90)}ms",
                    ),
                ]
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f"ecs/{api}/{tk}",
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso_ms(ts)[:-1].replace('T', ' ')} {lvl:5} 1 --- [nio-8080-exec-{nz.randrange(1, 40)}] {logger:40} : {msg}",
                }
            )
        if nz.random() < 0.03:
            ts = t + timedelta(seconds=nz.randrange(60))
            tk = nz.choice(live)
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": f"ecs/{api}/{tk}",
                    "timestamp": k.ms(ts),
                    "message": f"{k.iso_ms(ts)[:-1].replace('T', ' ')} WARN  1 --- [nio-8080-exec-{nz.randrange(1, 40)}] c.f.rentals.pricing.DepotRates            : no seasonal rate for depot {nz.randrange(10, 60)}, using base rate",
                }
            )
        t += timedelta(minutes=1)
    for i, tk in enumerate(new_tasks):
        ts = deploy_at + timedelta(seconds=40 + i)
        st = f"ecs/{api}/{tk}"
        for off, line in enumerate(
            [
                f"Starting RentalsApplication v{rev // 100}.{rev % 100}.0 using Java 21.0.3 with PID 1",
                "HikariPool-1 - Starting...",
                f"HikariPool-1 - Added connection org.postgresql.jdbc.PgConnection@{k.hexid(nz, 8)}",
                "HikariPool-1 - Start completed.",
                "Tomcat started on port 8080 (http) with context path '/'",
                f"Started RentalsApplication in {nz.uniform(14, 22):.3f} seconds (process running for {nz.uniform(15, 23):.3f})",
            ]
        ):
            tt = ts + timedelta(seconds=off * 3)
            logger = (
                "com.zaxxer.hikari.HikariDataSource" if "Hikari" in line else "c.f.rentals.RentalsApplication"
            )
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(tt),
                    "message": f"{k.iso_ms(tt)[:-1].replace('T', ' ')} INFO  1 --- [           main] {logger:40} : {line}",
                }
            )
    for tk in old_tasks:
        tt = deploy_at + timedelta(seconds=70) + overlap - timedelta(seconds=nz.randrange(1, 20))
        st = f"ecs/{api}/{tk}"
        for off, line in enumerate(
            [
                "Commencing graceful shutdown. Waiting for active requests to complete",
                "Graceful shutdown complete",
                "HikariPool-1 - Shutdown initiated...",
                "HikariPool-1 - Shutdown completed.",
            ]
        ):
            logger = (
                "com.zaxxer.hikari.HikariDataSource"
                if "Hikari" in line
                else "o.s.b.w.e.tomcat.GracefulShutdown"
            )
            t2 = tt + timedelta(milliseconds=300 * off)
            logs.append(
                {
                    "log_group": lg,
                    "log_stream": st,
                    "timestamp": k.ms(t2),
                    "message": f"{k.iso_ms(t2)[:-1].replace('T', ' ')} INFO  1 --- [ionShutdownHook] {logger:40} : {line}",
                }
            )
    pglg = f"/aws/rds/instance/{db}/postgresql"
    t = deploy_at - timedelta(hours=2)
    while t < now:
        if nz.random() < 0.08:
            ts = t + timedelta(seconds=nz.randrange(60))
            logs.append(
                {
                    "log_group": pglg,
                    "log_stream": db,
                    "timestamp": k.ms(ts),
                    "message": f"{ts:%Y-%m-%d %H:%M:%S} UTC:{net.ip(nz)}({nz.randrange(30000, 60000)}):rentals_app@rentals:[{nz.randrange(1000, 60000)}]:LOG:  duration: {nz.uniform(1000, 2600):.3f} ms  execute S_{nz.randrange(1, 30)}: select r1_0.id,r1_0.depot_id,r1_0.equipment_id,r1_0.starts_at from reservation r1_0 where r1_0.depot_id=$1 and r1_0.starts_at between $2 and $3",
                }
            )
        t += timedelta(minutes=1)
    for tk in new_tasks:
        ts = deploy_at + timedelta(seconds=44 + nz.randrange(0, 6))
        logs.append(
            {
                "log_group": pglg,
                "log_stream": db,
                "timestamp": k.ms(ts),
                "message": f"{ts:%Y-%m-%d %H:%M:%S} UTC:{ips[tk]}({nz.randrange(30000, 60000)}):rentals_app@rentals:[{nz.randrange(1000, 60000)}]:LOG:  connection authorized: user=rentals_app database=rentals application_name=PostgreSQL JDBC Driver SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            }
        )
    logs.sort(key=lambda r: (r["log_group"], r["log_stream"], r["timestamp"]))

    # --- CloudTrail ---
    tr = k.Trail(rng, account, region)
    ci = tr.role("fieldnorth-deploy", f"codebuild-{rng.randrange(10**6, 10**7)}")
    sre = tr.sso(rng.choice(["maria.lopez", "dwayne.hart", "ikaika.kealoha"]), "SRE")
    dev = tr.sso(rng.choice(["nina.park", "ollie.brandt", "chen.wu"]), "Developer")
    ip_s, ip_d = k.public_ip(rng), k.public_ip(rng)
    ci_ua = "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.8 exec-env/AWS_ECS_EC2"
    img = f"{account}.dkr.ecr.{region}.amazonaws.com/{api}"
    for at, r in ((prev_deploy, rev - 1), (deploy_at, rev)):
        tr.add(
            at - timedelta(seconds=25),
            ci,
            "ecs.amazonaws.com",
            "RegisterTaskDefinition",
            {
                "family": api,
                "cpu": "1024",
                "memory": "2048",
                "networkMode": "awsvpc",
                "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [
                    {
                        "name": api,
                        "image": f"{img}:{k.hexid(rng, 7)}",
                        "essential": True,
                        "environment": [
                            {"name": "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "value": str(pool)}
                        ],
                        "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    }
                ],
            },
            {
                "taskDefinition": {
                    "family": api,
                    "revision": r,
                    "status": "ACTIVE",
                    "taskDefinitionArn": f"arn:aws:ecs:{region}:{account}:task-definition/{api}:{r}",
                }
            },
            ip="ecs-tasks.amazonaws.com"
            if False
            else f"3.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}",
            agent=ci_ua,
        )
        tr.add(
            at,
            ci,
            "ecs.amazonaws.com",
            "UpdateService",
            {"cluster": cluster, "service": api, "taskDefinition": f"{api}:{r}"},
            {
                "service": {
                    "serviceName": api,
                    "desiredCount": tasks_n,
                    "taskDefinition": f"arn:aws:ecs:{region}:{account}:task-definition/{api}:{r}",
                }
            },
            ip=f"3.{rng.randrange(10, 250)}.{rng.randrange(1, 250)}.{rng.randrange(1, 250)}",
            agent=ci_ua,
        )
    tr.add(
        alarm_created,
        sre,
        "monitoring.amazonaws.com",
        "PutMetricAlarm",
        {
            "alarmName": alarm_name,
            "alarmDescription": "Connections on the rentals database",
            "metricName": "DatabaseConnections",
            "namespace": "AWS/RDS",
            "statistic": "Maximum",
            "dimensions": [{"name": "DBInstanceIdentifier", "value": db}],
            "period": 60,
            "evaluationPeriods": 3,
            "threshold": th,
            "comparisonOperator": "GreaterThanThreshold",
            "alarmActions": [topic],
            "oKActions": [topic],
        },
        None,
        ip=ip_s,
        agent=k.CONSOLE_UA,
    )
    # innocent changes near the page
    tr.add(
        deploy_at - timedelta(minutes=rng.randrange(8, 20)),
        dev,
        "ssm.amazonaws.com",
        "PutParameter",
        {"name": "/fieldnorth/rentals/feature/depot-map-v2", "type": "String", "overwrite": True},
        {"version": rng.randrange(3, 12), "tier": "Standard"},
        ip=ip_d,
        agent=k.CONSOLE_UA,
    )
    tr.add(
        deploy_at + timedelta(minutes=rng.randrange(9, 20)),
        sre,
        "rds.amazonaws.com",
        "CreateDBSnapshot",
        {"dBSnapshotIdentifier": f"{db}-pre-reindex-{deploy_at:%Y%m%d}", "dBInstanceIdentifier": db},
        {
            "dBSnapshotIdentifier": f"{db}-pre-reindex-{deploy_at:%Y%m%d}",
            "dBInstanceIdentifier": db,
            "status": "creating",
            "engine": "postgres",
            "snapshotType": "manual",
        },
        ip=ip_s,
        agent=k.CONSOLE_UA,
    )
    for _ in range(6):
        at = k.between(rng, start, now)
        tr.add(at, ci, "ecr.amazonaws.com", "GetAuthorizationToken", {}, None, read_only=True, agent=ci_ua)
    reads = [
        (sre, "rds.amazonaws.com", "DescribeDBInstances", {"dBInstanceIdentifier": db}),
        (sre, "monitoring.amazonaws.com", "DescribeAlarms", {"alarmNamePrefix": "fieldnorth"}),
        (dev, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [api]}),
        (dev, "logs.amazonaws.com", "StartQuery", {"logGroupNames": [f"/ecs/{api}"]}),
        (ci, "ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [api]}),
        (sre, "pi.amazonaws.com", "GetResourceMetrics", {"serviceType": "RDS"}),
    ]
    for i in range(24):
        who, src, nm, prm = reads[i % len(reads)]
        tr.add(
            k.between(rng, start, now),
            who,
            src,
            nm,
            prm,
            None,
            read_only=nm != "StartQuery",
            ip=ip_s
            if who is sre
            else ip_d
            if who is dev
            else f"3.{rng.randrange(10, 250)}.1.{rng.randrange(1, 250)}",
            agent=ci_ua if who is ci else k.CONSOLE_UA,
        )
    ct = tr.sorted()

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": region,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {
                "question": f"Got paged for {alarm_name}; it's gone back to OK by itself. Is the rentals "
                "database about to run out of connections, and do we need to do anything?",
                "alarm_event": trig,
            },
            "truth": {"no_fault": True},
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
