"""Marina-booking database connections alarm in the afternoon."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from evals.bundle import Bundle
from evals.bundle.model import Manifest
from evals.suites.fresh import _kit_zo as k

NAME = "moorline-db-connections-alarm"
TITLE = "moorline-core DatabaseConnections alarm in the afternoon"
SUMMARY = (
    "No fault: a rolling deploy of berth-api (maximumPercent 200, fixed-size connection pools) briefly runs old and "
    "new tasks together, pushing connections over the alarm threshold for a few minutes, as at every deploy."
)

REGION = "us-east-2"
AZS = [("us-east-2a", "use2-az1"), ("us-east-2b", "use2-az2"), ("us-east-2c", "use2-az3")]
DB = "moorline-core"
SVC = "berth-api"


def build(seed: int) -> Bundle:
    rng = random.Random(f"{NAME}:{seed}")
    account = "6" + "".join(rng.choice("0123456789") for _ in range(11))
    day = k.pick_day(rng, datetime(2024, 4, 8, tzinfo=k.UTC), 60, [1, 2, 3, 4])
    # deploys: the one today and earlier ones in the window (UTC afternoons = US morning/midday)
    deploy_at = day + timedelta(hours=17, minutes=rng.randrange(0, 90), seconds=rng.randrange(60))
    earlier = [
        day - timedelta(days=2) + timedelta(hours=15, minutes=rng.randrange(120), seconds=rng.randrange(60)),
        day - timedelta(days=1) + timedelta(hours=20, minutes=rng.randrange(60), seconds=rng.randrange(60)),
    ]
    deploys = [*earlier, deploy_at]
    start = day - timedelta(days=3) + timedelta(hours=rng.randrange(8, 12))
    tasks_n = 10 + rng.randrange(3)
    pool = 20
    # how long each deploy runs old and new tasks together (new started, old draining then stopped)
    overlaps = [
        (d + timedelta(seconds=50 + rng.randrange(30)), d + timedelta(minutes=4, seconds=rng.randrange(80)))
        for d in deploys
    ]
    ov_end = overlaps[-1][1]
    now = ov_end + timedelta(minutes=33 + rng.randrange(12))
    fine_from = deploy_at - timedelta(hours=2)

    # ----- ids
    vpc_id = k.res_id(rng, "vpc")
    subnets = [k.res_id(rng, "subnet") for _ in range(3)]
    sg_db, sg_api, sg_alb, sg_wrk = (k.res_id(rng, "sg") for _ in range(4))
    cluster = "moorline-prod"
    alb_name = "moorline-api"
    alb_dim = f"app/{alb_name}/{k.hexs(rng, 16)}"
    tg_dim = f"targetgroup/berth-api/{k.hexs(rng, 16)}"
    alb_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:loadbalancer/{alb_dim}"
    tg_arn = f"arn:aws:elasticloadbalancing:{REGION}:{account}:{tg_dim}"
    svc_arn = f"arn:aws:ecs:{REGION}:{account}:service/{cluster}/{SVC}"
    rev0 = 140 + rng.randrange(60)
    revs = [rev0, rev0 + 1, rev0 + 2]
    td = [f"arn:aws:ecs:{REGION}:{account}:task-definition/{SVC}:{r}" for r in revs]
    db_host = f"{DB}.c{k.alnum(rng, 11, False)}.{REGION}.rds.amazonaws.com"
    pager = f"arn:aws:sns:{REGION}:{account}:moorline-platform-alerts"
    queue_url = f"https://sqs.{REGION}.amazonaws.com/{account}/moorline-booking-events"

    def lh(t: datetime) -> float:
        return ((t.hour - 4) % 24) + t.minute / 60  # US Eastern (daylight time)

    def traffic(t: datetime) -> float:
        return 0.75 * k.diurnal(lh(t), 12.5, 0.06, 3.6) + 0.25 * k.diurnal(lh(t), 19.0, 0.0, 2.0) + 0.04

    def overlap_frac(t: datetime) -> float:
        for a, b in overlaps:
            lo, hi = max(a, t), min(b, t + k.MINUTE)
            if hi > lo:
                return (hi - lo).total_seconds() / 60
        return 0.0

    def in_overlap(t: datetime) -> bool:
        return any(a <= t + k.MINUTE and t < b for a, b in overlaps)

    n_total = int((now - start).total_seconds() // 60) + 2
    nz = k.smooth_noise(rng, n_total, 1.0)
    nz2 = k.smooth_noise(rng, n_total, 1.0, keep=0.5)
    ms_ = k.MetricSet(start, now, fine_from)
    dbd = {"DBInstanceIdentifier": DB}
    base_conns = tasks_n * pool + 3 * 10 + 2 * 10 + 6

    def conns(t: datetime, i: int) -> float:
        v = base_conns + rng.randrange(0, 4)
        if in_overlap(t):
            v += tasks_n * pool  # the new tasks' pools fill at start-up while old ones drain
        return float(v)

    conn_vals = ms_.add("AWS/RDS", "DatabaseConnections", dbd, "Count", conns)
    ms_.add(
        "AWS/RDS",
        "CPUUtilization",
        dbd,
        "Percent",
        lambda t, i: max(3.0, 7 + 29 * traffic(t) + 1.6 * nz[i] + 5 * overlap_frac(t)),
    )
    ms_.add(
        "AWS/RDS",
        "FreeableMemory",
        dbd,
        "Bytes",
        lambda t, i: 2.05e9 - 9e7 * traffic(t) - 1.5e8 * (1 if in_overlap(t) else 0) + 1.2e7 * nz[i],
    )
    ms_.add("AWS/RDS", "ReadLatency", dbd, "Seconds", lambda t, i: max(0.0003, 0.0007 + 0.00012 * nz2[i]))
    ms_.add(
        "AWS/RDS",
        "WriteLatency",
        dbd,
        "Seconds",
        lambda t, i: max(0.0005, 0.0012 + 0.0003 * traffic(t) + 0.00015 * nz2[i]),
    )
    ms_.add(
        "AWS/RDS", "FreeStorageSpace", dbd, "Bytes", lambda t, i: 1.37e11 - (t - start).total_seconds() * 6.1
    )
    albtg = {"LoadBalancer": alb_dim, "TargetGroup": tg_dim}
    req: dict[datetime, float] = {}

    def rc(t: datetime, i: int) -> float:
        v = max(30.0, 2600 * traffic(t) * (1 + 0.05 * nz[i]))
        req[t] = v
        return float(round(v))

    ms_.add("AWS/ApplicationELB", "RequestCount", albtg, "Count", rc)
    ms_.add_latency(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        albtg,
        lambda t, i: (0.052 + 0.01 * traffic(t) + 0.003 * nz2[i] + 0.012 * overlap_frac(t), req[t]),
    )
    ms_.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        albtg,
        "Count",
        lambda t, i: float(1 + rng.randrange(2)) if rng.random() < 0.05 * traffic(t) else None,
    )
    ms_.add(
        "AWS/ApplicationELB",
        "HTTPCode_Target_4XX_Count",
        albtg,
        "Count",
        lambda t, i: float(round(req[t] * 0.011 * (1 + 0.2 * nz2[i]))),
    )
    ms_.add(
        "AWS/ApplicationELB",
        "HealthyHostCount",
        albtg,
        "Count",
        lambda t, i: float(
            tasks_n * 2
            if any(
                a + timedelta(seconds=40) <= t + k.MINUTE and t < b - timedelta(minutes=2)
                for a, b in overlaps
            )
            else tasks_n
        ),
    )
    ms_.add("AWS/ApplicationELB", "UnHealthyHostCount", albtg, "Count", lambda t, i: 0.0)
    ecsd = {"ClusterName": cluster, "ServiceName": SVC}
    ms_.add(
        "AWS/ECS",
        "CPUUtilization",
        ecsd,
        "Percent",
        lambda t, i: max(3.0, 8 + 30 * traffic(t) + 2 * nz2[i] + 18 * overlap_frac(t)),
    )
    ms_.add("AWS/ECS", "MemoryUtilization", ecsd, "Percent", lambda t, i: 61 + 2 * traffic(t) + 0.6 * nz[i])
    metrics = ms_.records()

    # ----- alarms
    a_conn = k.Alarm(
        f"{DB}-db-connections",
        f"{DB} connections above 400 (max_connections is 630)",
        "AWS/RDS",
        "DatabaseConnections",
        dbd,
        "Maximum",
        60,
        2,
        2,
        400.0,
        "GreaterThanThreshold",
        "missing",
        actions=[pager],
        ok_actions=[pager],
        configured=start - timedelta(days=200),
    )
    r_conn = k.evaluate_alarm(a_conn, account, REGION, conn_vals, start, now, rng)
    alarms = [r_conn.item]
    history = list(r_conn.history)
    cpu = ms_.series[("AWS/RDS", "CPUUtilization", (("DBInstanceIdentifier", DB),))][1]
    free = ms_.series[("AWS/RDS", "FreeStorageSpace", (("DBInstanceIdentifier", DB),))][1]
    t5 = ms_.series[("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", tuple(sorted(albtg.items())))][1]
    lat = ms_.series[("AWS/ApplicationELB", "TargetResponseTime", tuple(sorted(albtg.items())))][1]
    for al, vals in (
        (
            k.Alarm(
                f"{DB}-cpu",
                f"{DB} CPU above 80% for 15 minutes",
                "AWS/RDS",
                "CPUUtilization",
                dbd,
                "Average",
                300,
                3,
                3,
                80.0,
                "GreaterThanThreshold",
                "missing",
                actions=[pager],
            ),
            cpu,
        ),
        (
            k.Alarm(
                f"{DB}-free-storage",
                f"{DB} free storage under 20 GiB",
                "AWS/RDS",
                "FreeStorageSpace",
                dbd,
                "Minimum",
                300,
                1,
                1,
                21474836480.0,
                "LessThanThreshold",
                "missing",
                actions=[pager],
            ),
            free,
        ),
        (
            k.Alarm(
                "berth-api-5xx",
                "berth-api target 5xx over 25 a minute for 3 minutes",
                "AWS/ApplicationELB",
                "HTTPCode_Target_5XX_Count",
                albtg,
                "Sum",
                60,
                3,
                3,
                25.0,
                "GreaterThanThreshold",
                "notBreaching",
                actions=[pager],
                ok_actions=[pager],
            ),
            t5,
        ),
        (
            k.Alarm(
                "berth-api-latency",
                "berth-api average latency over 800 ms",
                "AWS/ApplicationELB",
                "TargetResponseTime",
                albtg,
                "Average",
                60,
                5,
                5,
                0.8,
                "GreaterThanThreshold",
                "notBreaching",
                actions=[pager],
            ),
            lat,
        ),
    ):
        res = k.evaluate_alarm(al, account, REGION, vals, start, now, rng)
        alarms.append(res.item)
        history += res.history
    history.sort(key=lambda h: h["Timestamp"])
    today = [i for i, tr in enumerate(r_conn.transitions) if tr[0] >= deploy_at and tr[2] == "ALARM"]
    alarm_ev = k.alarm_event(rng, r_conn, a_conn, account, REGION, index=today[0])

    # ----- logs (Spring Boot, logback default pattern)
    logs: list[dict[str, Any]] = []
    lg = f"/ecs/{SVC}"
    gen_tasks: list[list[str]] = [[k.hexs(rng, 32) for _ in range(tasks_n)] for _ in range(len(deploys) + 1)]
    gen_ips: list[list[str]] = [
        [f"10.44.{(j % 3) * 16 + rng.randrange(1, 15)}.{rng.randrange(4, 250)}" for j in range(tasks_n)]
        for _ in range(len(deploys) + 1)
    ]

    def jl(t: datetime, task: str, level: str, thread: str, logger: str, msg: str) -> None:
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        logs.append(
            {
                "log_group": lg,
                "log_stream": f"api/{SVC}/{task}",
                "timestamp": k.ms(t),
                "message": f"{stamp} {level:>5} 1 --- [berth-api] [{thread:>15}] {logger:<40} : {msg}",
            }
        )

    def gen_at(t: datetime) -> int:
        g = 0
        for n, (a, _) in enumerate(overlaps):
            if t >= a + timedelta(seconds=60):
                g = n + 1
        return g

    for n, (a, b) in enumerate(overlaps):
        for task in gen_tasks[n + 1]:
            st = a + timedelta(seconds=rng.randrange(0, 12))
            jl(
                st,
                task,
                "INFO",
                "main",
                "c.m.berth.BerthApiApplication",
                f"Starting BerthApiApplication v2024.{deploys[n].month}.{deploys[n].day}-{k.hexs(rng, 7)} using Java "
                "21.0.2 with PID 1",
            )
            jl(
                st + timedelta(seconds=6.2),
                task,
                "INFO",
                "main",
                "com.zaxxer.hikari.HikariDataSource",
                "HikariPool-1 - Starting...",
            )
            jl(
                st + timedelta(seconds=6.9),
                task,
                "INFO",
                "main",
                "com.zaxxer.hikari.pool.HikariPool",
                f"HikariPool-1 - Added connection com.mysql.cj.jdbc.ConnectionImpl@{k.hexs(rng, 8)}",
            )
            jl(
                st + timedelta(seconds=6.95),
                task,
                "INFO",
                "main",
                "com.zaxxer.hikari.HikariDataSource",
                "HikariPool-1 - Start completed.",
            )
            jl(
                st + timedelta(seconds=13.4 + rng.random() * 3),
                task,
                "INFO",
                "main",
                "c.m.berth.BerthApiApplication",
                f"Started BerthApiApplication in {13.1 + rng.random() * 3:.3f} seconds (process running for "
                f"{14.0 + rng.random() * 3:.3f})",
            )
        for task in gen_tasks[n]:
            sd = b - timedelta(seconds=rng.randrange(2, 20))
            jl(
                sd,
                task,
                "INFO",
                "SpringApplicationShutdownHook",
                "o.s.b.w.e.tomcat.GracefulShutdown",
                "Commencing graceful shutdown. Waiting for active requests to complete",
            )
            jl(
                sd + timedelta(milliseconds=210),
                task,
                "INFO",
                "tomcat-shutdown",
                "o.s.b.w.e.tomcat.GracefulShutdown",
                "Graceful shutdown complete",
            )
            jl(
                sd + timedelta(milliseconds=260),
                task,
                "INFO",
                "SpringApplicationShutdownHook",
                "com.zaxxer.hikari.HikariDataSource",
                "HikariPool-1 - Shutdown initiated...",
            )
            jl(
                sd + timedelta(milliseconds=300),
                task,
                "INFO",
                "SpringApplicationShutdownHook",
                "com.zaxxer.hikari.HikariDataSource",
                "HikariPool-1 - Shutdown completed.",
            )
    t = start + timedelta(seconds=rng.randrange(120))
    while t < now:
        g = gen_at(t)
        task = rng.choice(gen_tasks[g])
        r = rng.random()
        if r < 0.03:
            jl(
                t,
                task,
                " WARN",
                f"http-nio-8080-exec-{rng.randrange(1, 40)}",
                "c.m.berth.pricing.TideTableClient",
                f"tide table provider slow ({rng.randrange(1500, 4000)} ms), serving cached table for station "
                f"{rng.randrange(8410000, 8779999)}",
            )
        elif r < 0.05:
            jl(
                t,
                task,
                " WARN",
                f"http-nio-8080-exec-{rng.randrange(1, 40)}",
                "c.m.berth.booking.BookingService",
                f"berth {rng.choice('ABCDEFG')}-{rng.randrange(1, 60)} double-hold rejected for marina "
                f"{rng.randrange(100, 160)}",
            )
        else:
            jl(
                t,
                task,
                "INFO",
                f"http-nio-8080-exec-{rng.randrange(1, 40)}",
                "c.m.berth.web.RequestLog",
                f"{rng.choice(['GET', 'GET', 'GET', 'POST'])} {rng.choice(['/v1/marinas', '/v1/berths/availability', '/v1/bookings', '/v1/bookings/quote', '/v1/me'])} "
                f"200 {rng.randrange(12, 140)}ms",
            )
        t += timedelta(seconds=int(40 + 160 * (1.1 - traffic(t))) + rng.randrange(30))
    logs.sort(key=lambda e: (e["log_group"], e["log_stream"], e["timestamp"]))

    # MySQL error log (what's there is routine)
    err_lines = []
    for _ in range(4):
        t = start + timedelta(minutes=rng.randrange(int((now - start).total_seconds() // 60)))
        err_lines.append(
            (
                t,
                f"{t.strftime('%Y-%m-%dT%H:%M:%S.')}{rng.randrange(10**6):06d}Z {rng.randrange(200, 90000)}"
                f" [Note] [MY-010914] [Server] Aborted connection {rng.randrange(10**5, 10**7)} to db: "
                f"'moorline' user: 'reporting' host: '10.44.{rng.randrange(40, 48)}.{rng.randrange(4, 250)}' "
                "(Got timeout reading communication packets).",
            )
        )
    err_lines.sort()
    err_text = "".join(x[1] + "\n" for x in err_lines)

    # ----- resources
    created = start - timedelta(days=600 + rng.randrange(200))
    resources: list[dict[str, Any]] = [k.vpc_item(vpc_id, "10.44.0.0/16", account, "moorline-prod")]
    for n, (az, azid) in enumerate(AZS):
        resources.append(
            k.subnet_item(
                subnets[n],
                vpc_id,
                f"10.44.{n * 16}.0/20",
                az,
                azid,
                account,
                REGION,
                f"moorline-private-{az[-1]}",
                3900 + rng.randrange(100),
            )
        )
    resources += [
        k.sg_item(
            sg_db,
            vpc_id,
            account,
            "moorline-core-db",
            "core mysql",
            [(3306, 3306, sg_api, "berth-api"), (3306, 3306, sg_wrk, "workers")],
        ),
        k.sg_item(sg_api, vpc_id, account, "berth-api", "berth-api tasks", [(8080, 8080, sg_alb, "alb")]),
        k.sg_item(sg_alb, vpc_id, account, "moorline-api-alb", "api alb", [(443, 443, "0.0.0.0/0", "https")]),
        k.sg_item(sg_wrk, vpc_id, account, "moorline-workers", "booking-worker, admin-portal", []),
    ]
    db_item = {
        "DBInstanceIdentifier": DB,
        "DBInstanceClass": "db.m6g.large",
        "Engine": "mysql",
        "DBInstanceStatus": "available",
        "MasterUsername": "admin",
        "DBName": "moorline",
        "Endpoint": {"Address": db_host, "Port": 3306, "HostedZoneId": "ZZ5P4M4Z5UE6T"},
        "AllocatedStorage": 300,
        "InstanceCreateTime": k.iso(created),
        "PreferredBackupWindow": "06:00-06:30",
        "BackupRetentionPeriod": 7,
        "DBSecurityGroups": [],
        "VpcSecurityGroups": [{"VpcSecurityGroupId": sg_db, "Status": "active"}],
        "DBParameterGroups": [
            {"DBParameterGroupName": "moorline-mysql80", "ParameterApplyStatus": "in-sync"}
        ],
        "AvailabilityZone": AZS[1][0],
        "PreferredMaintenanceWindow": "sun:08:00-sun:08:30",
        "PendingModifiedValues": {},
        "LatestRestorableTime": k.iso(now - timedelta(minutes=3)),
        "MultiAZ": True,
        "EngineVersion": "8.0.35",
        "AutoMinorVersionUpgrade": True,
        "ReadReplicaDBInstanceIdentifiers": [],
        "LicenseModel": "general-public-license",
        "StorageType": "gp3",
        "Iops": 3000,
        "StorageThroughput": 125,
        "SecondaryAvailabilityZone": AZS[0][0],
        "PubliclyAccessible": False,
        "StorageEncrypted": True,
        "DbiResourceId": "db-" + k.alnum(rng, 26),
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "DBInstanceArn": f"arn:aws:rds:{REGION}:{account}:db:{DB}",
        "DeletionProtection": True,
        "PerformanceInsightsEnabled": False,
        "EnabledCloudwatchLogsExports": ["error"],
        "TagList": k.tags({"app": "moorline", "env": "prod"}),
    }
    resources.append({"service": "rds", "type": "DBInstance", "item": db_item})
    resources.append(
        {
            "service": "rds",
            "type": "DBParameter",
            "item": {
                "DBParameterGroupName": "moorline-mysql80",
                "ParameterName": "max_connections",
                "ParameterValue": "630",
                "Description": "The number of simultaneous client connections allowed.",
                "Source": "user",
                "ApplyType": "dynamic",
                "DataType": "integer",
                "AllowedValues": "1-100000",
                "IsModifiable": True,
                "ApplyMethod": "immediate",
            },
        }
    )
    resources.append(
        {
            "service": "rds",
            "type": "DBLogFile",
            "item": {
                "DBInstanceIdentifier": DB,
                "LogFileName": "error/mysql-error-running.log",
                "LastWritten": k.ms(err_lines[-1][0]),
                "Size": len(err_text.encode()),
                "Data": err_text,
            },
        }
    )
    resources.append(
        {
            "service": "ecs",
            "type": "Cluster",
            "item": {
                "clusterArn": f"arn:aws:ecs:{REGION}:{account}:cluster/{cluster}",
                "clusterName": cluster,
                "status": "ACTIVE",
                "registeredContainerInstancesCount": 0,
                "runningTasksCount": tasks_n + 5,
                "pendingTasksCount": 0,
                "activeServicesCount": 3,
                "capacityProviders": ["FARGATE"],
            },
        }
    )
    dep_ids = ["ecs-svc/" + "".join(rng.choice("0123456789") for _ in range(19)) for _ in deploys]
    resources.append(
        {
            "service": "ecs",
            "type": "Service",
            "item": {
                "serviceArn": svc_arn,
                "serviceName": SVC,
                "clusterArn": f"arn:aws:ecs:{REGION}:{account}:cluster/{cluster}",
                "loadBalancers": [{"targetGroupArn": tg_arn, "containerName": "api", "containerPort": 8080}],
                "status": "ACTIVE",
                "desiredCount": tasks_n,
                "runningCount": tasks_n,
                "pendingCount": 0,
                "launchType": "FARGATE",
                "platformVersion": "1.4.0",
                "taskDefinition": td[-1],
                "deploymentConfiguration": {
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                },
                "deployments": [
                    {
                        "id": dep_ids[-1],
                        "status": "PRIMARY",
                        "taskDefinition": td[-1],
                        "desiredCount": tasks_n,
                        "pendingCount": 0,
                        "runningCount": tasks_n,
                        "failedTasks": 0,
                        "createdAt": k.iso(deploy_at),
                        "updatedAt": k.iso(ov_end + timedelta(seconds=30)),
                        "launchType": "FARGATE",
                        "rolloutState": "COMPLETED",
                        "rolloutStateReason": f"ECS deployment {dep_ids[-1]} completed.",
                    }
                ],
                "networkConfiguration": {
                    "awsvpcConfiguration": {
                        "subnets": subnets,
                        "securityGroups": [sg_api],
                        "assignPublicIp": "DISABLED",
                    }
                },
                "healthCheckGracePeriodSeconds": 60,
                "schedulingStrategy": "REPLICA",
                "createdAt": k.iso(created),
                "events": [],
            },
        }
    )
    for n, r in enumerate(revs):
        resources.append(
            {
                "service": "ecs",
                "type": "TaskDefinition",
                "item": {
                    "taskDefinitionArn": td[n],
                    "family": SVC,
                    "revision": r,
                    "status": "ACTIVE",
                    "taskRoleArn": f"arn:aws:iam::{account}:role/berth-api-task",
                    "executionRoleArn": f"arn:aws:iam::{account}:role/moorline-ecs-exec",
                    "networkMode": "awsvpc",
                    "requiresCompatibilities": ["FARGATE"],
                    "cpu": "1024",
                    "memory": "2048",
                    "registeredAt": k.iso(deploys[n] - timedelta(seconds=8)),
                    "containerDefinitions": [
                        {
                            "name": "api",
                            "image": f"{account}.dkr.ecr.{REGION}.amazonaws.com/berth-api:"
                            f"{deploys[n].strftime('%Y%m%d')}-{k.hexs(rng, 7)}",
                            "essential": True,
                            "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                            "environment": [
                                {
                                    "name": "SPRING_DATASOURCE_URL",
                                    "value": f"jdbc:mysql://{db_host}:3306/moorline",
                                },
                                {"name": "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "value": str(pool)},
                                {"name": "SPRING_DATASOURCE_HIKARI_MINIMUM_IDLE", "value": str(pool)},
                                {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75"},
                            ],
                            "stopTimeout": 30,
                            "logConfiguration": {
                                "logDriver": "awslogs",
                                "options": {
                                    "awslogs-group": lg,
                                    "awslogs-region": REGION,
                                    "awslogs-stream-prefix": "api",
                                },
                            },
                        }
                    ],
                },
            }
        )
    resources.append(
        {
            "service": "elbv2",
            "type": "LoadBalancer",
            "item": {
                "LoadBalancerArn": alb_arn,
                "DNSName": f"{alb_name}-{rng.randrange(10**9, 10**10)}.{REGION}.elb.amazonaws.com",
                "CanonicalHostedZoneId": "Z3AADJGX6KTTL2",
                "CreatedTime": k.iso(created),
                "LoadBalancerName": alb_name,
                "Scheme": "internet-facing",
                "VpcId": vpc_id,
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": AZS[n][0], "SubnetId": subnets[n]} for n in range(3)],
                "SecurityGroups": [sg_alb],
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "elbv2",
            "type": "TargetGroup",
            "item": {
                "TargetGroupArn": tg_arn,
                "TargetGroupName": "berth-api",
                "Protocol": "HTTP",
                "Port": 8080,
                "VpcId": vpc_id,
                "HealthCheckProtocol": "HTTP",
                "HealthCheckPort": "traffic-port",
                "HealthCheckEnabled": True,
                "HealthCheckIntervalSeconds": 15,
                "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2,
                "UnhealthyThresholdCount": 3,
                "HealthCheckPath": "/actuator/health/readiness",
                "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": [alb_arn],
                "TargetType": "ip",
                "ProtocolVersion": "HTTP1",
                "IpAddressType": "ipv4",
            },
        }
    )
    resources.append(
        {
            "service": "sqs",
            "type": "Queue",
            "item": {
                "QueueUrl": queue_url,
                "Attributes": {
                    "QueueArn": f"arn:aws:sqs:{REGION}:{account}:moorline-booking-events",
                    "VisibilityTimeout": "120",
                    "MessageRetentionPeriod": "345600",
                    "DelaySeconds": "0",
                    "ReceiveMessageWaitTimeSeconds": "20",
                    "MaximumMessageSize": "262144",
                    "ApproximateNumberOfMessages": str(rng.randrange(0, 4)),
                    "ApproximateNumberOfMessagesNotVisible": str(rng.randrange(0, 6)),
                    "CreatedTimestamp": str(int(created.timestamp())),
                    "LastModifiedTimestamp": str(int(now.timestamp()) - 1500),
                    "SqsManagedSseEnabled": "true",
                },
                "Tags": {"app": "moorline"},
            },
        }
    )
    resources.append(k.log_group(account, REGION, lg, created, 30, rng.randrange(10**9, 10**10)))
    resources.append(
        k.log_group(
            account, REGION, f"/aws/rds/instance/{DB}/error", created, 14, rng.randrange(10**5, 10**7)
        )
    )

    # ----- events: ECS service events and target health for each deploy
    events: list[dict[str, Any]] = []
    for n, (a, b) in enumerate(overlaps):
        dep = deploys[n]
        new_t, old_t = gen_tasks[n + 1], gen_tasks[n]
        msgs = [
            (
                dep + timedelta(seconds=6),
                f"(service {SVC}) has started {tasks_n} tasks: "
                + " ".join(f"(task {x})" for x in new_t)
                + ".",
            ),
            (
                a + timedelta(seconds=40),
                f"(service {SVC}) registered {tasks_n} targets in (target-group {tg_arn})",
            ),
            (b - timedelta(minutes=2), f"(service {SVC}) has begun draining connections on {tasks_n} tasks."),
            (
                b - timedelta(minutes=2),
                f"(service {SVC}) deregistered {tasks_n} targets in (target-group {tg_arn})",
            ),
            (
                b,
                f"(service {SVC}) has stopped {tasks_n} running tasks: "
                + " ".join(f"(task {x})" for x in old_t)
                + ".",
            ),
            (b + timedelta(seconds=30), f"(service {SVC}, taskSet {dep_ids[n]}) has reached a steady state."),
            (b + timedelta(seconds=30), f"(deployment {dep_ids[n]}) deployment completed."),
        ]
        for when, msg in msgs:
            if when <= now:
                events.append(
                    {
                        "source": "ecs",
                        "item": {
                            "service_arn": svc_arn,
                            "event": {"id": k.uid(rng), "createdAt": k.iso(when), "message": msg},
                        },
                    }
                )
        for j in range(tasks_n):
            az = AZS[j % 3][0]
            if n == 0:
                events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": tg_arn,
                            "target": {"Id": gen_ips[0][j], "Port": 8080, "AvailabilityZone": az},
                            "health": {"State": "healthy"},
                            "timestamp": k.iso(start - timedelta(days=1)),
                        },
                    }
                )
            new_ip, old_ip = gen_ips[n + 1][j], gen_ips[n][j]
            for when, ip, state in (
                (
                    a + timedelta(seconds=40),
                    new_ip,
                    ("initial", "Elb.RegistrationInProgress", "Target registration is in progress"),
                ),
                (a + timedelta(seconds=72), new_ip, ("healthy", None, None)),
                (
                    b - timedelta(minutes=2),
                    old_ip,
                    ("draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"),
                ),
                (
                    b,
                    old_ip,
                    ("unused", "Target.NotRegistered", "Target is not registered to the target group"),
                ),
            ):
                h: dict[str, Any] = {"State": state[0]}
                if state[1]:
                    h["Reason"], h["Description"] = state[1], state[2]
                events.append(
                    {
                        "source": "target_health",
                        "item": {
                            "target_group_arn": tg_arn,
                            "target": {"Id": ip, "Port": 8080, "AvailabilityZone": az},
                            "health": h,
                            "timestamp": k.iso(when),
                        },
                    }
                )
    events.sort(
        key=lambda e: e["item"]["event"]["createdAt"] if e["source"] == "ecs" else e["item"]["timestamp"]
    )

    # ----- CloudTrail
    trail: list[dict[str, Any]] = []
    ci = k.role_session(
        rng,
        account,
        "moorline-ci-deploy",
        "codebuild-berth-api",
        "10.44.200.17",
        "aws-sdk-java/2.25.6 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.2+13-LTS"
        " Java/21.0.2 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
    )
    for n, dep in enumerate(deploys):
        trail.append(
            k.ct(
                rng,
                ci,
                dep - timedelta(seconds=8),
                "ecs.amazonaws.com",
                "RegisterTaskDefinition",
                REGION,
                {
                    "family": SVC,
                    "networkMode": "awsvpc",
                    "requiresCompatibilities": ["FARGATE"],
                    "cpu": "1024",
                    "memory": "2048",
                    "containerDefinitions": [{"name": "api"}],
                },
                {
                    "taskDefinition": {
                        "taskDefinitionArn": td[n],
                        "family": SVC,
                        "revision": revs[n],
                        "status": "ACTIVE",
                    }
                },
            )
        )
        trail.append(
            k.ct(
                rng,
                ci,
                dep,
                "ecs.amazonaws.com",
                "UpdateService",
                REGION,
                {"cluster": cluster, "service": SVC, "taskDefinition": td[n], "forceNewDeployment": False},
                {
                    "service": {
                        "serviceArn": svc_arn,
                        "serviceName": SVC,
                        "taskDefinition": td[n],
                        "desiredCount": tasks_n,
                        "status": "ACTIVE",
                    }
                },
            )
        )
        for sec in (30, 150, 270):
            trail.append(
                k.ct(
                    rng,
                    ci,
                    dep + timedelta(seconds=sec),
                    "ecs.amazonaws.com",
                    "DescribeServices",
                    REGION,
                    {"cluster": cluster, "services": [SVC]},
                    None,
                    read_only=True,
                )
            )
    dana = k.sso_human(
        rng,
        account,
        REGION,
        "MoorlineAdmin",
        "dana.oyelaran@moorline.io",
        f"73.{rng.randrange(0, 250)}.{rng.randrange(256)}.{rng.randrange(256)}",
    )
    luis = k.sso_human(
        rng,
        account,
        REGION,
        "MoorlineDeveloper",
        "luis.ferreira@moorline.io",
        f"24.{rng.randrange(0, 250)}.{rng.randrange(256)}.{rng.randrange(256)}",
        console=False,
        ua="aws-cli/2.15.31 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-26-generic md/arch#x86_64 "
        "lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe "
        "md/distrib#ubuntu.22 md/prompt#off md/command#sqs.set-queue-attributes",
    )
    mod_at = deploy_at - timedelta(minutes=9 + rng.randrange(12))
    trail.append(
        k.ct(
            rng,
            dana,
            mod_at,
            "rds.amazonaws.com",
            "ModifyDBInstance",
            REGION,
            {
                "dBInstanceIdentifier": DB,
                "backupRetentionPeriod": 7,
                "applyImmediately": True,
                "copyTagsToSnapshot": True,
            },
            {
                "dBInstanceIdentifier": DB,
                "dBInstanceClass": "db.m6g.large",
                "engine": "mysql",
                "dBInstanceStatus": "available",
                "backupRetentionPeriod": 7,
                "multiAZ": True,
                "copyTagsToSnapshot": True,
                "pendingModifiedValues": {},
                "dBInstanceArn": db_item["DBInstanceArn"],
            },
        )
    )
    trail.append(
        k.ct(
            rng,
            dana,
            mod_at - timedelta(minutes=2),
            "rds.amazonaws.com",
            "DescribeDBInstances",
            REGION,
            {"dBInstanceIdentifier": DB},
            None,
            read_only=True,
        )
    )
    sqs_at = deploy_at + timedelta(minutes=6 + rng.randrange(14))
    trail.append(
        k.ct(
            rng,
            luis,
            sqs_at,
            "sqs.amazonaws.com",
            "SetQueueAttributes",
            REGION,
            {"queueUrl": queue_url, "attributes": {"VisibilityTimeout": "120"}},
            None,
        )
    )
    look = now - timedelta(minutes=rng.randrange(5, 20))
    trail.append(
        k.ct(
            rng,
            dana,
            look,
            "monitoring.amazonaws.com",
            "DescribeAlarmHistory",
            REGION,
            {"alarmName": a_conn.name, "historyItemType": "StateUpdate"},
            None,
            read_only=True,
        )
    )
    dd = k.role_session(
        rng,
        account,
        "DatadogAWSIntegrationRole",
        k.hexs(rng, 32),
        "44.192.28.115",
        "Datadog/1.0 aws-sdk-go/1.44.327 (go1.20.7; linux; amd64)",
    )
    t = start + timedelta(minutes=rng.randrange(30))
    while t < now:
        roll = rng.random()
        if roll < 0.4:
            trail.append(
                k.ct(
                    rng,
                    dd,
                    t,
                    "monitoring.amazonaws.com",
                    "GetMetricData",
                    REGION,
                    {"startTime": k.iso(t - timedelta(minutes=10)), "endTime": k.iso(t)},
                    None,
                    read_only=True,
                )
            )
        elif roll < 0.6:
            trail.append(
                k.ct(rng, dd, t, "rds.amazonaws.com", "DescribeDBInstances", REGION, {}, None, read_only=True)
            )
        elif roll < 0.8:
            trail.append(
                k.assume_role_by_service(
                    rng,
                    account,
                    REGION,
                    t,
                    "ecs-tasks.amazonaws.com",
                    f"arn:aws:iam::{account}:role/berth-api-task",
                    k.hexs(rng, 32),
                )
            )
        else:
            trail.append(
                k.ct(rng, dd, t, "ecs.amazonaws.com", "ListClusters", REGION, {}, None, read_only=True)
            )
        t += timedelta(minutes=60 + rng.randrange(90))
    trail = k.ct_sort([r for r in trail if r["eventTime"] <= k.iso(now)])

    manifest = Manifest.model_validate(
        {
            "format": "sleuth-bundle/1",
            "title": TITLE,
            "account_id": account,
            "region": REGION,
            "start": k.iso(start),
            "end": k.iso(now),
            "now": k.iso(now),
            "trigger": {"question": None, "alarm_event": alarm_ev},
            "truth": {"no_fault": True},
        }
    )
    return Bundle(
        manifest,
        {
            "metrics": metrics,
            "alarms": alarms,
            "alarm_history": history,
            "logs": logs,
            "cloudtrail": trail,
            "resources": resources,
            "events": events,
        },
    )
