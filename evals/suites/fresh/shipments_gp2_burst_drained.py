"""Shipment tracking API slows then 500s mid-morning: the MySQL instance's gp2 volume ran out of burst credits."""

from __future__ import annotations

from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_zzt import Kit, daily, iso, minutes, ms, ramp

NAME = "shipments-api-slow-mid-morning"
TITLE = "Shipment tracking API slow and throwing 500s since mid-morning"
SUMMARY = (
    "A heavier than usual morning rate import plus business traffic drained the RDS MySQL instance's gp2 "
    "BurstBalance; once at zero the volume is held to its baseline IOPS and the API's connection pool starves."
)

IST = timedelta(hours=5, minutes=30)


def build(seed: int) -> Bundle:
    k = Kit(seed, "ap-south-1")
    r = k.r
    day = k.day()
    import_start = (day + timedelta(hours=7, minutes=r.randint(0, 5)) - IST).replace(second=0)
    drain_minutes = r.randint(150, 185)
    onset = import_start + timedelta(minutes=drain_minutes)
    start = onset - timedelta(hours=4, minutes=r.randint(0, 25))
    now = onset + timedelta(minutes=r.randint(40, 55))
    gib = r.choice([200, 250, 300])
    baseline = gib * 3
    db = r.choice(["shipdb-prod", "shipments-mysql", "tracking-db-prod"])
    cluster = "logistics-prod"
    svc, job = "shipments-api", "carrier-rate-import"
    files = r.randint(380, 460)
    usual_files = r.randint(110, 140)
    peak_utc = 11.0 - 5.5

    def app_iops(t: datetime) -> float:
        return 180 + 330 * daily(t, peak_utc, 3.0)

    def job_iops(t: datetime) -> float:
        level = baseline + 5_400_000 / (drain_minutes * 60) - 420
        return level * ramp(t, import_start, import_start + timedelta(minutes=6))

    def demand(t: datetime) -> float:
        return app_iops(t) + job_iops(t)

    def exhausted(t: datetime) -> bool:
        return t >= onset

    def served(t: datetime) -> float:
        return min(demand(t), baseline + k.noise(6)) if exhausted(t) else demand(t)

    def balance(t: datetime) -> float:
        if t < import_start:
            return 100.0
        if t >= onset:
            return 0.0 if r.random() < 0.8 else 0.01 * r.randint(1, 9)
        return max(
            0.0, 100 * (1 - (t - import_start).total_seconds() / (onset - import_start).total_seconds())
        )

    def queue(t: datetime) -> float:
        if exhausted(t):
            return 28 + 18 * min(1.0, (t - onset).total_seconds() / 900) + k.noise(4)
        return 0.4 + demand(t) / 1100 + abs(k.noise(0.2))

    times = minutes(start, now)
    dd = {"DBInstanceIdentifier": db}
    k.series("AWS/RDS", "BurstBalance", dd, "Percent", times, balance)
    k.series("AWS/RDS", "ReadIOPS", dd, "Count/Second", times, lambda t: served(t) * 0.64 + k.noise(8))
    k.series("AWS/RDS", "WriteIOPS", dd, "Count/Second", times, lambda t: served(t) * 0.36 + k.noise(5))
    k.series("AWS/RDS", "DiskQueueDepth", dd, "Count", times, queue)
    k.series(
        "AWS/RDS",
        "ReadLatency",
        dd,
        "Seconds",
        times,
        lambda t: (0.038 + k.noise(0.006)) if exhausted(t) else 0.0007 + abs(k.noise(0.0002)),
    )
    k.series(
        "AWS/RDS",
        "WriteLatency",
        dd,
        "Seconds",
        times,
        lambda t: (0.052 + k.noise(0.008)) if exhausted(t) else 0.0011 + abs(k.noise(0.0003)),
    )
    k.series(
        "AWS/RDS",
        "CPUUtilization",
        dd,
        "Percent",
        times,
        lambda t: (
            (
                16
                if exhausted(t)
                else 14 + 12 * daily(t, peak_utc, 3) + 9 * ramp(t, import_start, import_start)
            )
            + k.noise(1.5)
        ),
    )
    k.series(
        "AWS/RDS",
        "DatabaseConnections",
        dd,
        "Count",
        times,
        lambda t: (
            (92 if exhausted(t) else 26 + 30 * daily(t, peak_utc, 3) + (8 if t >= import_start else 0))
            + k.noise(2)
        ),
    )
    k.series(
        "AWS/RDS",
        "FreeStorageSpace",
        dd,
        "Bytes",
        times,
        lambda t: gib * 0.41 * 2**30 - (t - start).total_seconds() * 900,
    )
    k.series("AWS/RDS", "FreeableMemory", dd, "Bytes", times, lambda t: 2.1e9 + k.noise(2e7))

    lb = f"app/{svc}-alb/{k.hex(16)}"
    tg = f"targetgroup/{svc}-tg/{k.hex(16)}"
    ld = {"LoadBalancer": lb}
    ltd = {"LoadBalancer": lb, "TargetGroup": tg}

    def reqs(t: datetime) -> float:
        return 900 + 2600 * daily(t, peak_utc, 3.0) + k.noise(40)

    def fail(t: datetime) -> float:
        return 0.0 if not exhausted(t) else min(0.35, 0.05 + (t - onset).total_seconds() / 3600)

    k.series("AWS/ApplicationELB", "RequestCount", ld, "Count", times, reqs)
    k.series(
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ld,
        "Seconds",
        times,
        lambda t: (4.5 + 9 * fail(t) + k.noise(0.4)) if exhausted(t) else 0.085 + abs(k.noise(0.012)),
    )
    k.series(
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ltd,
        "Count",
        times,
        lambda t: round(reqs(t) * fail(t) + (1 if r.random() < 0.05 else 0)),
    )
    k.series("AWS/ApplicationELB", "HealthyHostCount", ltd, "Count", times, lambda t: 4.0)
    sd = {"ClusterName": cluster, "ServiceName": svc}
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        sd,
        "Percent",
        times,
        lambda t: (11 if exhausted(t) else 18 + 20 * daily(t, peak_utc, 3)) + k.noise(1.5),
    )
    k.series("AWS/ECS", "MemoryUtilization", sd, "Percent", times, lambda t: 61 + k.noise(1))
    nd = {"ClusterName": cluster, "ServiceName": "notifications-worker"}
    flaps = [start + timedelta(minutes=r.randint(20, 200)) for _ in range(3)]
    k.series(
        "AWS/ECS",
        "CPUUtilization",
        nd,
        "Percent",
        times,
        lambda t: (88 if any(f <= t < f + timedelta(minutes=4) for f in flaps) else 41) + k.noise(3),
    )

    # ------------------------------------------------------------------ alarms
    t_lat = onset + timedelta(minutes=3, seconds=r.randint(10, 50))
    t_5xx = onset + timedelta(minutes=r.randint(7, 11), seconds=r.randint(0, 59))
    created = day - timedelta(days=r.randint(120, 400))
    lat_reason = (
        f"Threshold Crossed: 3 out of the last 3 datapoints [{4.6 + r.random():.3f} ({t_lat:%d/%m/%y %H:%M}:00)] "
        "were greater than the threshold (1.5) (minimum 3 datapoints for OK -> ALARM transition)."
    )
    ok_text = "Threshold Crossed: 3 out of the last 3 datapoints were not greater than the threshold (1.5)."
    lat_alarm = k.alarm(
        f"{svc}-alb-latency-high",
        "AWS/ApplicationELB",
        "TargetResponseTime",
        ld,
        "Average",
        60,
        3,
        1.5,
        "GreaterThanThreshold",
        [(day - timedelta(days=6), "OK", ok_text), (t_lat, "ALARM", lat_reason)],
        created,
        description="shipments-api average response time above 1.5s",
        topic="logistics-oncall",
    )
    k.alarm(
        f"{svc}-target-5xx",
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        ltd,
        "Sum",
        300,
        1,
        100,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=6),
                "OK",
                "Threshold Crossed: 1 datapoint [3.0] was not greater than the threshold (100.0).",
            ),
            (
                t_5xx,
                "ALARM",
                f"Threshold Crossed: 1 datapoint [{r.randint(300, 700)}.0] was greater than the threshold (100.0).",
            ),
        ],
        created,
        missing="notBreaching",
        topic="logistics-oncall",
    )
    k.alarm(
        f"{db}-cpu-high",
        "AWS/RDS",
        "CPUUtilization",
        dd,
        "Average",
        300,
        3,
        85,
        "GreaterThanThreshold",
        [
            (
                day - timedelta(days=40),
                "OK",
                "Threshold Crossed: 3 datapoints were not greater than the threshold (85.0).",
            )
        ],
        created,
    )
    k.alarm(
        f"{db}-free-storage-low",
        "AWS/RDS",
        "FreeStorageSpace",
        dd,
        "Minimum",
        300,
        1,
        20 * 2**30,
        "LessThanThreshold",
        [(day - timedelta(days=40), "OK", "Threshold Crossed: 1 datapoint was not less than the threshold.")],
        created,
    )
    trans: list[tuple[datetime, str, str]] = []
    for f in sorted(flaps):
        trans.append(
            (
                f + timedelta(minutes=3),
                "ALARM",
                "Threshold Crossed: 2 out of the last 2 datapoints were greater than the threshold (80.0).",
            )
        )
        trans.append(
            (
                f + timedelta(minutes=6),
                "OK",
                "Threshold Crossed: 2 out of the last 2 datapoints were not greater than the threshold (80.0).",
            )
        )
    k.alarm(
        "notifications-worker-cpu",
        "AWS/ECS",
        "CPUUtilization",
        nd,
        "Average",
        60,
        2,
        80,
        "GreaterThanThreshold",
        trans,
        created,
    )

    # ------------------------------------------------------------------ logs
    lg = f"/ecs/{svc}"
    tasks = [k.hex(32) for _ in range(4)]
    t = start
    while t < now:
        t += timedelta(seconds=r.randint(15, 45))
        task = r.choice(tasks)
        st = f"{svc}/{svc}/{task}"
        thr = r.randint(1, 200)
        stamp = (t + IST).strftime("%Y-%m-%dT%H:%M:%S.") + f"{r.randint(0, 999):03d}+05:30"
        if exhausted(t) and r.random() < 0.6:
            waiting = r.randint(15, 60)
            k.log(
                lg,
                st,
                t,
                f"{stamp}  WARN 1 --- [{svc}] [nio-8080-exec-{thr}] com.zaxxer.hikari.pool.HikariPool        : "
                f"HikariPool-1 - Connection is not available, request timed out after 30000ms "
                f"(total=20, active=20, idle=0, waiting={waiting})",
            )
            k.log(
                lg,
                st,
                t + timedelta(milliseconds=3),
                f"{stamp} ERROR 1 --- [{svc}] [nio-8080-exec-{thr}] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : "
                "Servlet.service() for servlet [dispatcherServlet] in context with path [] threw exception "
                "[Request processing failed: org.springframework.transaction.CannotCreateTransactionException: "
                "Could not open JPA EntityManager for transaction] with root cause\n\n"
                "java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request "
                "timed out after 30000ms (total=20, active=20, idle=0, waiting="
                f"{waiting})\n\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:686)\n"
                "\tat com.zaxxer.hikari.pool.HikariPool.getConnection(HikariPool.java:179)",
            )
        elif r.random() < 0.25:
            ms_ = r.randint(40, 160) if not exhausted(t) else r.randint(2500, 9000)
            k.log(
                lg,
                st,
                t,
                f"{stamp}  INFO 1 --- [{svc}] [nio-8080-exec-{thr}] c.l.s.web.TrackingController             : "
                f"GET /v2/shipments/{k.upper(10)}/events 200 {ms_}ms",
            )
    jg = f"/ecs/{job}"
    jst = f"{job}/{job}/{k.hex(32)}"
    k.log(
        jg,
        jst,
        import_start + timedelta(seconds=20),
        f"INFO  [main] RateImportJob - found {files} carrier files in s3://logistics-rates-inbound/{day:%Y/%m/%d}/ (last run: {usual_files})",
    )
    done = 0
    t = import_start + timedelta(minutes=1)
    while t < now and done < files:
        step = r.randint(3, 6) if not exhausted(t) else 1
        done = min(files, done + step)
        k.log(
            jg,
            jst,
            t,
            f"INFO  [pool-1-thread-{r.randint(1, 4)}] RateImportJob - upserted rate file {done}/{files} "
            f"rows={r.randint(40000, 90000)} took={r.randint(9, 14) if not exhausted(t) else r.randint(60, 140)}s",
        )
        t += timedelta(minutes=2)
    slow = []
    for _ in range(10):
        t = onset + timedelta(seconds=r.randint(60, int((now - onset).total_seconds())))
        qt = 1.5 + r.random() * 6
        slow.append(
            (
                t,
                f"# Time: {t:%Y-%m-%dT%H:%M:%S}.{r.randint(0, 999999):06d}Z\n"
                f"# User@Host: shipments_app[shipments_app] @  [10.61.{r.randint(10, 40)}.{r.randint(2, 250)}]  Id: {r.randint(100000, 999999)}\n"
                f"# Query_time: {qt:.6f}  Lock_time: 0.000004 Rows_sent: 1  Rows_examined: 1\n"
                f"SET timestamp={int(t.timestamp())};\n"
                f"SELECT s.id, s.status, s.carrier_code FROM shipments s WHERE s.tracking_no = '{k.upper(10)}';\n",
            )
        )
    slow.sort()
    text = "".join(s for _, s in slow)
    k.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": db,
            "LogFileName": "slowquery/mysql-slowquery.log",
            "LastWritten": ms(slow[-1][0]),
            "Size": len(text),
            "Data": text,
        },
    )
    err = (
        f"{iso(day - timedelta(days=3))} 0 [Note] [MY-010914] [Server] Aborted connection 81231 to db: 'shipments' "
        "user: 'shipments_app' host: '10.61.22.14' (Got an error reading communication packets).\n"
    )
    k.res(
        "rds",
        "DBLogFile",
        {
            "DBInstanceIdentifier": db,
            "LogFileName": "error/mysql-error-running.log",
            "LastWritten": ms(day - timedelta(days=3)),
            "Size": len(err),
            "Data": err,
        },
    )

    # ------------------------------------------------------------------ CloudTrail
    ci = k.role("gitlab-runner-deploy", f"gitlab-{r.randint(100000, 999999)}")
    dep_t = onset - timedelta(minutes=r.randint(38, 70))
    rev = r.randint(180, 260)
    cl_arn = k.arn("ecs", f"cluster/{cluster}")
    svc_arn = k.arn("ecs", f"service/{cluster}/{svc}")
    td_arn = k.arn("ecs", f"task-definition/{svc}:{rev}")
    k.trail(
        dep_t - timedelta(seconds=30),
        "ecs.amazonaws.com",
        "RegisterTaskDefinition",
        ci,
        {
            "family": svc,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "1024",
            "memory": "2048",
        },
        {"taskDefinition": {"taskDefinitionArn": td_arn, "family": svc, "revision": rev, "status": "ACTIVE"}},
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.alpine.3 command/ecs.register-task-definition",
    )
    k.trail(
        dep_t,
        "ecs.amazonaws.com",
        "UpdateService",
        ci,
        {"cluster": cluster, "service": svc, "taskDefinition": td_arn, "forceNewDeployment": False},
        {"service": {"serviceArn": svc_arn, "serviceName": svc, "taskDefinition": td_arn, "desiredCount": 4}},
        agent="aws-cli/2.15.30 Python/3.11.8 Linux/5.15.0 exe/x86_64.alpine.3 command/ecs.update-service",
    )
    sched = k.role(f"{job}-scheduler-role", k.hex(32), invoked_by="scheduler.amazonaws.com")
    k.trail(
        import_start,
        "ecs.amazonaws.com",
        "RunTask",
        sched,
        {
            "cluster": cl_arn,
            "taskDefinition": f"{job}",
            "count": 1,
            "launchType": "FARGATE",
            "startedBy": "chronos-schedule",
        },
        {
            "tasks": [
                {
                    "taskArn": k.arn("ecs", f"task/{cluster}/{jst.rsplit('/', 1)[1]}"),
                    "lastStatus": "PROVISIONING",
                }
            ],
            "failures": [],
        },
    )
    dba = k.sso(r.choice(["priya.menon", "vikram.shah", "ananya.iyer"]), "DatabaseAdmin")
    pg = f"{db}-mysql80"
    k.trail(
        start + timedelta(minutes=r.randint(10, 60)),
        "rds.amazonaws.com",
        "ModifyDBParameterGroup",
        dba,
        {
            "dBParameterGroupName": pg,
            "parameters": [
                {"parameterName": "long_query_time", "parameterValue": "1", "applyMethod": "immediate"}
            ],
        },
        {"dBParameterGroupName": pg},
        agent="console.amazonaws.com",
    )
    k.trail(
        onset - timedelta(minutes=r.randint(5, 20)),
        "ssm.amazonaws.com",
        "PutParameter",
        ci,
        {"name": "/logistics/notifications-worker/batch_size", "type": "String", "overwrite": True},
        {"version": r.randint(4, 12), "tier": "Standard"},
    )
    for i in range(4):
        k.trail(
            onset + timedelta(minutes=10 + 6 * i + r.randint(0, 4)),
            "rds.amazonaws.com",
            r.choice(["DescribeDBInstances", "DescribeDBLogFiles", "DescribeEvents"]),
            dba,
            {"dBInstanceIdentifier": db},
            None,
            read_only=True,
            agent="console.amazonaws.com",
        )
    calls: list[tuple[str, str, dict[str, object] | None]] = [
        ("rds.amazonaws.com", "DescribeDBInstances", None),
        ("monitoring.amazonaws.com", "GetMetricData", None),
        ("monitoring.amazonaws.com", "DescribeAlarms", None),
        ("ecs.amazonaws.com", "DescribeServices", {"cluster": cluster, "services": [svc]}),
        ("ecs.amazonaws.com", "ListTasks", {"cluster": cluster}),
        ("elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", None),
        ("logs.amazonaws.com", "DescribeLogGroups", None),
    ]
    k.tooling(start, now, calls, 40)

    # ------------------------------------------------------------------ resources
    created_db = day - timedelta(days=r.randint(500, 900))
    k.res(
        "rds",
        "DBInstance",
        {
            "DBInstanceIdentifier": db,
            "DBInstanceClass": "db.m5.large",
            "Engine": "mysql",
            "EngineVersion": "8.0.36",
            "DBInstanceStatus": "available",
            "MasterUsername": "admin",
            "DBName": "shipments",
            "Endpoint": {
                "Address": f"{db}.c{k.hex(11)}.ap-south-1.rds.amazonaws.com",
                "Port": 3306,
                "HostedZoneId": "Z2VFMSZA74J7XZ",
            },
            "AllocatedStorage": gib,
            "StorageType": "gp2",
            "InstanceCreateTime": iso(created_db),
            "PreferredBackupWindow": "21:30-22:00",
            "PreferredMaintenanceWindow": "sat:22:30-sat:23:00",
            "BackupRetentionPeriod": 7,
            "DBParameterGroups": [{"DBParameterGroupName": pg, "ParameterApplyStatus": "in-sync"}],
            "AvailabilityZone": "ap-south-1a",
            "SecondaryAvailabilityZone": "ap-south-1b",
            "MultiAZ": True,
            "PubliclyAccessible": False,
            "StorageEncrypted": True,
            "DbiResourceId": "db-" + k.upper(26),
            "DBInstanceArn": k.arn("rds", f"db:{db}"),
            "PerformanceInsightsEnabled": False,
            "EnabledCloudwatchLogsExports": [],
        },
    )
    k.res(
        "rds",
        "DBParameter",
        {
            "DBParameterGroupName": pg,
            "ParameterName": "long_query_time",
            "ParameterValue": "1",
            "Source": "user",
            "ApplyType": "dynamic",
            "DataType": "float",
            "IsModifiable": True,
            "ApplyMethod": "immediate",
        },
    )
    k.res(
        "ecs",
        "Cluster",
        {
            "clusterArn": cl_arn,
            "clusterName": cluster,
            "status": "ACTIVE",
            "runningTasksCount": 9,
            "activeServicesCount": 3,
        },
    )
    for name, count, td in (
        (svc, 4, td_arn),
        (
            "notifications-worker",
            2,
            k.arn("ecs", f"task-definition/notifications-worker:{r.randint(30, 90)}"),
        ),
    ):
        item: dict[str, object] = {
            "serviceArn": k.arn("ecs", f"service/{cluster}/{name}"),
            "serviceName": name,
            "clusterArn": cl_arn,
            "status": "ACTIVE",
            "desiredCount": count,
            "runningCount": count,
            "pendingCount": 0,
            "launchType": "FARGATE",
            "taskDefinition": td,
            "deployments": [
                {
                    "id": "ecs-svc/" + str(r.randint(10**18, 10**19 - 1)),
                    "status": "PRIMARY",
                    "taskDefinition": td,
                    "desiredCount": count,
                    "runningCount": count,
                    "rolloutState": "COMPLETED",
                    "createdAt": iso(dep_t if name == svc else day - timedelta(days=9)),
                    "updatedAt": iso(
                        dep_t + timedelta(minutes=6) if name == svc else day - timedelta(days=9)
                    ),
                }
            ],
            "createdAt": iso(created_db + timedelta(days=30)),
        }
        if name == svc:
            item["loadBalancers"] = [
                {
                    "targetGroupArn": k.arn("elasticloadbalancing", tg),
                    "containerName": svc,
                    "containerPort": 8080,
                }
            ]
        k.res("ecs", "Service", item)
    k.res(
        "elbv2",
        "LoadBalancer",
        {
            "LoadBalancerArn": k.arn("elasticloadbalancing", f"loadbalancer/{lb}"),
            "DNSName": f"internal-{svc}-alb-{r.randint(10**8, 10**9)}.ap-south-1.elb.amazonaws.com",
            "LoadBalancerName": f"{svc}-alb",
            "Scheme": "internal",
            "Type": "application",
            "State": {"Code": "active"},
            "CreatedTime": iso(created_db + timedelta(days=30)),
        },
    )
    k.res(
        "elbv2",
        "TargetGroup",
        {
            "TargetGroupArn": k.arn("elasticloadbalancing", tg),
            "TargetGroupName": f"{svc}-tg",
            "Protocol": "HTTP",
            "Port": 8080,
            "TargetType": "ip",
            "HealthCheckPath": "/actuator/health/liveness",
            "LoadBalancerArns": [k.arn("elasticloadbalancing", f"loadbalancer/{lb}")],
        },
    )
    k.res(
        "ecs",
        "TaskDefinition",
        {
            "taskDefinitionArn": td_arn,
            "family": svc,
            "revision": rev,
            "status": "ACTIVE",
            "cpu": "1024",
            "memory": "2048",
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "containerDefinitions": [
                {
                    "name": svc,
                    "image": f"{k.account}.dkr.ecr.ap-south-1.amazonaws.com/{svc}:{k.hex(7)}",
                    "portMappings": [{"containerPort": 8080, "protocol": "tcp"}],
                    "environment": [{"name": "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", "value": "20"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": lg,
                            "awslogs-region": "ap-south-1",
                            "awslogs-stream-prefix": svc,
                        },
                    },
                }
            ],
        },
    )

    truth = {
        "no_fault": False,
        "root_cause": {"resource": db, "category": "limit", "failure_mode": "gp2-burst-balance-exhausted"},
        "also_accept": [k.arn("rds", f"db:{db}")],
        "actions": ["scale", "reconfigure"],
        "chain": [db, svc, f"{svc}-alb"],
    }
    local = t_lat + IST
    question = (
        f"Tracking pages are really slow and some calls 500 since about {local:%-I:%M %p}. "
        f"We deployed {svc} a bit before that, but the DB CPU is low. Can someone look before the noon peak?"
    )
    event = k.alarm_event(lat_alarm, t_lat, lat_reason, day - timedelta(days=6), ok_text)
    return k.bundle(TITLE, start, now, truth, question, "Asia/Kolkata", event)
